package ai.kiku.webhook.standin;

/** Minimal HTML for the simulator pages; every dynamic value goes through {@link #escape}. */
final class Html {

    private Html() {
    }

    static String page(String title, String body) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>"
                + "<style>body{font-family:sans-serif;max-width:36em;margin:3em auto}td,th{padding:.3em 1em}"
                + "button{font-size:1.2em;padding:.4em 2em}</style></head><body><h1>" + escape(title) + "</h1>"
                + body + "</body></html>";
    }

    static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&#39;");
    }

    static String cents(long cents) {
        return java.math.BigDecimal.valueOf(cents, 2).toPlainString();
    }
}
