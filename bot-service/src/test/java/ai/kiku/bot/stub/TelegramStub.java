package ai.kiku.bot.stub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Telegram Bot API at the network edge: a real HTTP server on loopback answering
 * {@code POST /bot<token>/<method>} like Telegram ({@code {"ok":true,"result":...}}), so that the
 * real pengrad client of the service talks to it. Every call is recorded (method, status, form
 * parameters); failures can be scripted per method and chat (e.g. 429 with retry_after).
 * <p>
 * Shared with the test only through JDK collections, so that it works whatever class loader the
 * test resource and the test class end up in.
 */
public final class TelegramStub implements AutoCloseable {

    /** Keys of a recorded call besides the form parameters. */
    public static final String METHOD = "_method";
    public static final String STATUS = "_status";
    public static final String AT = "_at";

    private final String token;
    private final List<Map<String, String>> calls;
    private final Queue<Map<String, String>> script;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger messageIds = new AtomicInteger(5000);
    private final HttpServer server;

    /**
     * @param calls  receives every call, in arrival order
     * @param script failures to answer: {method, chat_id (optional), status, retry_after (optional)}; each used once
     */
    public TelegramStub(String token, List<Map<String, String>> calls, Queue<Map<String, String>> script)
            throws IOException {
        this.token = token;
        this.calls = calls;
        this.script = script;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    /** What to configure as {@code kiku.telegram.api-url}. */
    public String apiUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/bot";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String prefix = "/bot" + token + "/";
            if (!path.startsWith(prefix)) {
                answer(exchange, 401, Map.of("ok", false, "error_code", 401, "description", "Unauthorized"));
                return;
            }
            String method = path.substring(prefix.length());
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            Map<String, String> params = contentType != null && contentType.startsWith("multipart/form-data")
                    ? parseMultipart(exchange.getRequestBody(), contentType) : parseForm(exchange.getRequestBody());
            Map<String, String> failure = scripted(method, params.get("chat_id"));
            int status = failure == null ? 200 : Integer.parseInt(failure.get("status"));
            Map<String, String> call = new LinkedHashMap<>(params);
            call.put(METHOD, method);
            call.put(STATUS, Integer.toString(status));
            call.put(AT, Long.toString(System.currentTimeMillis()));
            calls.add(call);
            if (failure != null) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("ok", false);
                body.put("error_code", status);
                body.put("description", status == 429 ? "Too Many Requests: retry after " + failure.get("retry_after")
                        : status >= 500 ? "Internal Server Error"
                        : status == 403 ? "Forbidden: bot was blocked by the user" : "Bad Request: chat not found");
                if (failure.get("retry_after") != null) {
                    body.put("parameters", Map.of("retry_after", Integer.parseInt(failure.get("retry_after"))));
                }
                answer(exchange, status, body);
                return;
            }
            answer(exchange, 200, Map.of("ok", true, "result", result(method, params)));
        }
    }

    private Object result(String method, Map<String, String> p) {
        return switch (method) {
            case "getMe" -> Map.of("id", 123456, "is_bot", true, "first_name", "Kiku", "username", "kiku_test_bot");
            case "sendMessage", "editMessageText", "sendPhoto" -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("message_id", p.containsKey("message_id") ? Integer.parseInt(p.get("message_id"))
                        : messageIds.incrementAndGet());
                m.put("date", System.currentTimeMillis() / 1000);
                m.put("chat", Map.of("id", Long.parseLong(p.get("chat_id")), "type", "private"));
                m.put("text", p.getOrDefault("text", ""));
                yield m;
            }
            default -> true;
        };
    }

    private Map<String, String> scripted(String method, String chatId) {
        synchronized (script) {
            for (Iterator<Map<String, String>> it = script.iterator(); it.hasNext(); ) {
                Map<String, String> entry = it.next();
                if (method.equals(entry.get("method"))
                        && (entry.get("chat_id") == null || entry.get("chat_id").equals(chatId))) {
                    it.remove();
                    return entry;
                }
            }
        }
        return null;
    }

    /**
     * multipart/form-data as pengrad sends files: text parts as they are; a file part as
     * {@code <name>} = base64 of its bytes and {@code <name>_filename}.
     */
    private static Map<String, String> parseMultipart(InputStream in, String contentType) throws IOException {
        String boundary = "--" + contentType.replaceAll(".*boundary=\"?([^\";]+)\"?.*", "$1");
        String body = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        Map<String, String> params = new LinkedHashMap<>();
        for (String part : body.split(java.util.regex.Pattern.quote(boundary))) {
            int headersEnd = part.indexOf("\r\n\r\n");
            if (headersEnd < 0) {
                continue;
            }
            String headers = part.substring(0, headersEnd);
            String content = part.substring(headersEnd + 4);
            if (content.endsWith("\r\n")) {
                content = content.substring(0, content.length() - 2);
            }
            java.util.regex.Matcher name = java.util.regex.Pattern.compile("name=\"([^\"]*)\"").matcher(headers);
            if (!name.find()) {
                continue;
            }
            java.util.regex.Matcher file = java.util.regex.Pattern.compile("filename=\"([^\"]*)\"").matcher(headers);
            byte[] bytes = content.getBytes(StandardCharsets.ISO_8859_1);
            if (file.find()) {
                params.put(name.group(1), java.util.Base64.getEncoder().encodeToString(bytes));
                params.put(name.group(1) + "_filename", file.group(1));
            } else {
                params.put(name.group(1), new String(bytes, StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    private static Map<String, String> parseForm(InputStream in) throws IOException {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    private void answer(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
