package ai.kiku.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 exchange over a plain socket, for what HTTP clients refuse to send or hide: oversized
 * headers, odd whitespace, a connection the server drops without an answer.
 */
public final class RawHttp {

    /** The status line's code, the whole answer as text; status -1 when the server sent nothing. */
    public record Answer(int status, String text) {

        /** What follows the head (empty when there is no head). */
        public String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }

        /** The value of the first header {@code name} (any case), or null. */
        public String header(String name) {
            int end = text.indexOf("\r\n\r\n");
            for (String line : text.substring(0, end < 0 ? text.length() : end).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }
    }

    /**
     * One kept-alive connection, for what happens between exchanges: whether the server answers a
     * second request on it, or closes it after an answer.
     */
    public static final class Connection implements AutoCloseable {

        private final Socket socket;

        private Connection(Socket socket) {
            this.socket = socket;
        }

        /** Connects to 127.0.0.1:port; a refused connection throws {@link java.net.ConnectException}. */
        public static Connection open(int port) throws IOException {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                socket.setSoTimeout(10_000);
                return new Connection(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        /** Sends one request and reads its whole answer (status -1 when the server closed instead). */
        public Answer exchange(String request) throws IOException {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return read(socket.getInputStream());
        }

        /** Whether the server closes (or resets) the connection within {@code millis}, sending nothing more. */
        public boolean closedByServer(int millis) throws IOException {
            return RawHttp.closedByServer(socket, millis);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private RawHttp() {
    }

    /**
     * Reads one answer off {@code in}, byte by byte so that nothing of what follows it is consumed (status -1 when
     * the server closed or reset the connection instead).
     */
    public static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try {
            while (!complete(received.toString(StandardCharsets.ISO_8859_1))) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                received.write(b);
            }
        } catch (SocketException e) {
            // reset after (or instead of) an answer
        }
        String text = received.toString(StandardCharsets.ISO_8859_1);
        int status = text.startsWith("HTTP/1.") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
        return new Answer(status, text);
    }

    /** Whether the server closes (or resets) {@code socket} within {@code millis}, sending nothing more. */
    public static boolean closedByServer(Socket socket, int millis) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            return socket.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(before);
            }
        }
    }

    /** Sends {@code request} (with CRLFs, headers and body) to 127.0.0.1:port and reads until the server closes or 10 s pass. */
    public static Answer exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (SocketException e) {
                // the server may answer and close before it has read everything; read what it said
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    received.write(buffer, 0, n);
                    if (complete(received.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (SocketException | java.net.SocketTimeoutException e) {
                // reset or silence after (or instead of) an answer
            }
            String text = received.toString(StandardCharsets.ISO_8859_1);
            int status = text.startsWith("HTTP/1.") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
            return new Answer(status, text);
        }
    }

    /**
     * Asserts that a GET of {@code path} whose headers are too large (40 kB, 300 kB, 2 MB), plain and asking
     * for h2c as Java's HttpClient does, is answered 431 rather than a bare 400 or a dropped connection.
     */
    public static void assertHeadersTooLargeGet431(int port, String path) throws IOException {
        for (int size : new int[]{40_000, 300_000, 2_000_000}) {
            Answer answer = exchange(port, getWithHugeHeader(path, size));
            org.assertj.core.api.Assertions.assertThat(answer.status()).as(size + " bytes: " + answer.text())
                    .isEqualTo(431);
            Answer h2c = exchange(port, getWithHugeHeaderAskingForH2c(path, size));
            org.assertj.core.api.Assertions.assertThat(h2c.status()).as("h2c, " + size + " bytes: " + h2c.text())
                    .isEqualTo(431);
        }
    }

    /** A GET of {@code path} with one extra header of {@code size} characters. */
    public static String getWithHugeHeader(String path, int size) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Fuzz: " + "a".repeat(size) + "\r\n"
                + "Connection: close\r\n\r\n";
    }

    /**
     * The same GET as Java's HttpClient sends it by default on plain http: asking to upgrade to
     * HTTP/2 (h2c), which takes another path through the server.
     */
    public static String getWithHugeHeaderAskingForH2c(String path, int size) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
                + "X-Fuzz: " + "a".repeat(size) + "\r\n\r\n";
    }

    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        int at = head.indexOf("content-length:");
        if (at < 0) {
            return head.contains("transfer-encoding: chunked") ? text.endsWith("0\r\n\r\n") : false;
        }
        int eol = head.indexOf("\r\n", at);
        long length = Long.parseLong(head.substring(at + 15, eol < 0 ? head.length() : eol).strip());
        return text.length() - end - 4 >= length;
    }
}
