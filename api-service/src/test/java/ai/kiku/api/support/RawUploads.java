package ai.kiku.api.support;

import ai.kiku.testing.RawHttp;
import ai.kiku.testing.RawHttp.Answer;
import io.restassured.RestAssured;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Uploads over raw sockets that stop mid-body, as slow or malicious clients do, which HTTP clients cannot play. */
public final class RawUploads {

    private RawUploads() {
    }

    /**
     * A JSON upload of {@code size} bytes on its own connection, its headers and first 64 KiB sent and then
     * held, as a slow or malicious client would; {@link #finish()} sends the rest, {@link #close()} leaves.
     */
    public static final class Upload implements AutoCloseable {
        private final Socket socket;
        private final byte[] body;
        private final boolean chunked;
        private final int sent;

        private Upload(Socket socket, byte[] body, boolean chunked, int sent) {
            this.socket = socket;
            this.body = body;
            this.chunked = chunked;
            this.sent = sent;
        }

        /** Starts an upload of {@code json} padded with spaces to {@code size} bytes; no Authorization without a bearer. */
        public static Upload start(String bearer, String path, String json, int size, boolean chunked) throws IOException {
            byte[] body = (json + " ".repeat(size - json.length())).getBytes(StandardCharsets.US_ASCII);
            Socket socket = new Socket("127.0.0.1", RestAssured.port);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                    + (bearer == null ? "" : "Authorization: " + bearer + "\r\n")
                    + "Content-Type: application/json\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + size + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            int sent = 64 * 1024;
            write(out, body, 0, sent, chunked);
            out.flush();
            return new Upload(socket, body, chunked, sent);
        }

        private static void write(OutputStream out, byte[] body, int from, int to, boolean chunked) throws IOException {
            if (chunked) {
                out.write((Integer.toHexString(to - from) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            out.write(body, from, to - from);
            if (chunked) {
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }

        /** Whether the gateway has begun to answer (before the whole body was sent: a refusal). */
        public boolean answered() {
            try {
                return socket.getInputStream().available() > 0;
            } catch (IOException e) {
                return true;
            }
        }

        /** Sends the rest of the body and reads the answer. */
        public Answer finish() throws IOException {
            sendRest();
            return answer();
        }

        public void sendRest() throws IOException {
            OutputStream out = socket.getOutputStream();
            write(out, body, sent, body.length, chunked);
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
        }

        /** Reads the answer until {@code marker} has arrived (a stream's first event), and returns what was read. */
        public String readUntil(String marker) throws IOException {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            while (!read.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                read.write(b);
            }
            return read.toString(StandardCharsets.ISO_8859_1);
        }

        public Answer answerAndClose() throws IOException {
            try (this) {
                return answer();
            }
        }

        public Answer answer() throws IOException {
            return RawHttp.read(socket.getInputStream());
        }

        /** Whether the gateway closes (or resets) the connection within {@code millis}, sending nothing more. */
        public boolean closedByServer(int millis) throws IOException {
            return RawHttp.closedByServer(socket, millis);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
