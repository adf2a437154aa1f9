package ai.kiku.bot.service;

import static ai.kiku.bot.service.Texts.html;

/**
 * How to call the API with a new key: a curl line and the OpenAI SDKs for Python and JavaScript, as Telegram
 * HTML code blocks. They read the key from {@code KIKU_API_KEY}, so the plaintext appears once in the message.
 */
final class Snippets {

    private Snippets() {
    }

    static String all(String baseUrl, String model) {
        String curl = "curl " + baseUrl + "/chat/completions \\\n"
                + "  -H \"Authorization: Bearer $KIKU_API_KEY\" \\\n"
                + "  -H 'Content-Type: application/json' \\\n"
                + "  -d '{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'";
        String python = "from openai import OpenAI\n"
                + "import os\n\n"
                + "client = OpenAI(base_url=\"" + baseUrl + "\", api_key=os.environ[\"KIKU_API_KEY\"])\n"
                + "reply = client.chat.completions.create(model=\"" + model + "\",\n"
                + "    messages=[{\"role\": \"user\", \"content\": \"Hello\"}])\n"
                + "print(reply.choices[0].message.content)";
        String js = "import OpenAI from \"openai\";\n\n"
                + "const client = new OpenAI({ baseURL: \"" + baseUrl + "\", apiKey: process.env.KIKU_API_KEY });\n"
                + "const reply = await client.chat.completions.create({ model: \"" + model + "\",\n"
                + "  messages: [{ role: \"user\", content: \"Hello\" }] });\n"
                + "console.log(reply.choices[0].message.content);";
        return block("bash", curl) + "\n" + block("python", python) + "\n" + block("javascript", js);
    }

    private static String block(String language, String code) {
        return "<pre><code class=\"language-" + language + "\">" + html(code) + "</code></pre>";
    }
}
