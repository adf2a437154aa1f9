package ai.kiku.api.standin;

import ai.kiku.api.provider.ChatCall;
import ai.kiku.api.provider.ChatProvider;
import ai.kiku.api.provider.ProxyEndpoint;
import ai.kiku.api.provider.UpstreamReply;
import ai.kiku.api.service.TokenEstimator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The built-in {@code local} provider: answers with the text of the last user message (embeddings:
 * {@link LocalEmbeddings}; responses: {@link LocalResponses}; legacy completions echo the prompt), reports
 * usage with {@link TokenEstimator} counts (prompt: the messages; completion: the echoed text),
 * streams one chunk per word, and never touches the network. Quick start, tests and benchmarks
 * run against it.
 */
public final class LocalEchoProvider implements ChatProvider {

    public static final String NAME = "local";

    private final ObjectMapper mapper;
    private final Vertx vertx;

    public LocalEchoProvider(ObjectMapper mapper, Vertx vertx) {
        this.mapper = mapper;
        this.vertx = vertx;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Uni<UpstreamReply> send(ChatCall call) {
        return switch (call.endpoint()) {
            case CHAT -> chat(call);
            case EMBEDDINGS -> embeddings(call);
            case COMPLETIONS -> completions(call);
            case RESPONSES -> responses(call);
            case MESSAGES -> messages(call);
        };
    }

    @Override
    public boolean serves(ProxyEndpoint endpoint) {
        return true;
    }

    /** Anthropic's Messages API, so the Anthropic SDK runs against the stand-in setup too. */
    private Uni<UpstreamReply> messages(ChatCall call) {
        LocalMessages message = new LocalMessages(mapper, call.requestId(), call.body());
        if (!call.stream()) {
            return Uni.createFrom().item(UpstreamReply.completion(message.message(), null));
        }
        return Uni.createFrom().item(UpstreamReply.streaming(new BufferStream(vertx.getOrCreateContext(),
                message.events())));
    }

    private Uni<UpstreamReply> embeddings(ChatCall call) {
        JsonNode dimensions = call.body().get("dimensions");
        if (dimensions != null && dimensions.canConvertToInt() && dimensions.intValue() > LocalEmbeddings.MAX_DIMENSIONS) {
            return Uni.createFrom().item(UpstreamReply.rejected(400, Buffer.buffer("{\"error\":{\"message\":"
                    + "\"local-embed makes at most " + LocalEmbeddings.MAX_DIMENSIONS + " dimensions\"}}")));
        }
        return Uni.createFrom().item(UpstreamReply.completion(LocalEmbeddings.answer(mapper, call.body()), null));
    }

    private Uni<UpstreamReply> responses(ChatCall call) {
        LocalResponses response = new LocalResponses(mapper, call.requestId(), call.body());
        if (!call.stream()) {
            return Uni.createFrom().item(UpstreamReply.completion(response.completed(), null));
        }
        return Uni.createFrom().item(UpstreamReply.streaming(new BufferStream(vertx.getOrCreateContext(),
                response.events())));
    }

    /** Legacy completions: each prompt's text (token ids as their numbers) echoed as its choice. */
    private Uni<UpstreamReply> completions(ChatCall call) {
        JsonNode prompt = call.body().path("prompt");
        List<String> prompts = new ArrayList<>();
        long promptTokens = 0;
        if (prompt.isArray() && !prompt.isEmpty() && !prompt.get(0).isIntegralNumber()) {
            for (JsonNode one : prompt) {
                prompts.add(promptText(one));
                promptTokens += one.isArray() ? one.size() : TokenEstimator.tokens(one.asText(""));
            }
        } else {
            prompts.add(promptText(prompt));
            promptTokens += prompt.isArray() ? prompt.size() : TokenEstimator.tokens(prompt.asText(""));
        }
        long cap = cap(call.body());
        String model = call.body().path("model").asText();
        String id = "cmpl-" + call.requestId();
        long created = System.currentTimeMillis() / 1000;
        long completionTokens = 0;
        for (int i = 0; i < prompts.size(); i++) {
            String text = capped(prompts.get(i), cap);
            prompts.set(i, text);
            completionTokens += TokenEstimator.tokens(text);
        }
        if (!call.stream()) {
            ObjectNode json = completion(id, created, model);
            ArrayNode choices = json.putArray("choices");
            for (int i = 0; i < prompts.size(); i++) {
                choices.addObject().put("text", prompts.get(i)).put("index", i).putNull("logprobs")
                        .put("finish_reason", "stop");
            }
            usage(json.putObject("usage"), promptTokens, completionTokens);
            return Uni.createFrom().item(UpstreamReply.completion(json, null));
        }
        List<Buffer> events = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            for (String piece : pieces(prompts.get(i))) {
                ObjectNode chunk = completion(id, created, model);
                chunk.putArray("choices").addObject().put("text", piece).put("index", i).putNull("logprobs")
                        .putNull("finish_reason");
                events.add(event(chunk));
            }
            ObjectNode end = completion(id, created, model);
            end.putArray("choices").addObject().put("text", "").put("index", i).putNull("logprobs")
                    .put("finish_reason", "stop");
            events.add(event(end));
        }
        ObjectNode last = completion(id, created, model);
        last.putArray("choices");
        usage(last.putObject("usage"), promptTokens, completionTokens);
        events.add(event(last));
        events.add(Buffer.buffer("data: [DONE]\n\n"));
        return Uni.createFrom().item(UpstreamReply.streaming(new BufferStream(vertx.getOrCreateContext(), events)));
    }

    private ObjectNode completion(String id, long created, String model) {
        ObjectNode json = mapper.createObjectNode();
        json.put("id", id).put("object", "text_completion").put("created", created).put("model", model);
        return json;
    }

    private static String promptText(JsonNode prompt) {
        if (!prompt.isArray()) {
            return prompt.asText("");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode token : prompt) {
            text.append(text.length() == 0 ? "" : " ").append(token.asText());
        }
        return text.toString();
    }

    /** The words of {@code text} that fit in {@code cap} tokens (a model stops at the cap it was sent). */
    static String capped(String text, long cap) {
        if (TokenEstimator.tokens(text) <= cap) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        for (String piece : pieces(text)) {
            if (TokenEstimator.tokens(out + piece) > cap) {
                break;
            }
            out.append(piece);
        }
        return out.toString();
    }

    private Uni<UpstreamReply> chat(ChatCall call) {
        JsonNode messages = call.body().path("messages");
        String text = lastUserText(messages);
        long promptTokens = TokenEstimator.input(messages, call.body().get("tools"));
        // like a real model, it stops at the output cap it was sent (the gateway always sends one)
        long completionTokens = Math.min(TokenEstimator.tokens(text), cap(call.body()));
        String model = call.body().path("model").asText();
        String id = "chatcmpl-" + call.requestId();
        long created = System.currentTimeMillis() / 1000;
        if (!call.stream()) {
            ObjectNode json = mapper.createObjectNode();
            json.put("id", id).put("object", "chat.completion").put("created", created).put("model", model);
            ObjectNode choice = json.putArray("choices").addObject();
            choice.put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", text);
            choice.put("finish_reason", "stop");
            usage(json.putObject("usage"), promptTokens, completionTokens);
            return Uni.createFrom().item(UpstreamReply.completion(json, null));
        }
        List<Buffer> events = new ArrayList<>();
        events.add(event(chunk(id, created, model, "role", "assistant", null)));
        for (String piece : pieces(text)) {
            events.add(event(chunk(id, created, model, "content", piece, null)));
        }
        events.add(event(chunk(id, created, model, null, null, "stop")));
        ObjectNode last = mapper.createObjectNode();
        last.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
        last.putArray("choices");
        usage(last.putObject("usage"), promptTokens, completionTokens);
        events.add(event(last));
        events.add(Buffer.buffer("data: [DONE]\n\n"));
        Context context = vertx.getOrCreateContext();
        return Uni.createFrom().item(UpstreamReply.streaming(new BufferStream(context, events)));
    }

    private ObjectNode chunk(String id, long created, String model, String field, String value, String finish) {
        ObjectNode node = mapper.createObjectNode();
        node.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
        ObjectNode choice = node.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (field != null) {
            delta.put(field, value);
        }
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        node.putNull("usage");
        return node;
    }

    private Buffer event(ObjectNode node) {
        return Buffer.buffer("data: " + node + "\n\n");
    }

    static long cap(JsonNode body) {
        long cap = Long.MAX_VALUE;
        for (String field : new String[]{"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
            JsonNode value = body.get(field);
            if (value != null && value.canConvertToLong() && value.asLong() >= 0) {
                cap = Math.min(cap, value.asLong());
            }
        }
        return cap;
    }

    private static void usage(ObjectNode usage, long prompt, long completion) {
        usage.put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
    }

    /** Words with their following whitespace, so the pieces concatenate back to the text. */
    static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))
                    && (i + 1 == text.length() || !Character.isWhitespace(text.charAt(i + 1)))) {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    static String lastUserText(JsonNode messages) {
        if (!(messages instanceof ArrayNode array)) {
            return "";
        }
        for (int i = array.size() - 1; i >= 0; i--) {
            JsonNode message = array.get(i);
            if ("user".equals(message.path("role").asText())) {
                JsonNode content = message.get("content");
                if (content == null || content.isNull()) {
                    return "";
                }
                if (content.isTextual()) {
                    return content.asText();
                }
                StringBuilder text = new StringBuilder();
                for (JsonNode part : content) {
                    if (part.has("text")) {
                        text.append(part.path("text").asText(""));
                    }
                }
                return text.toString();
            }
        }
        return "";
    }
}
