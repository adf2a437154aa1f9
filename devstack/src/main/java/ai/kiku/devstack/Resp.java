package ai.kiku.devstack;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A minimal RESP2 client over a socket, so the harness can form a cluster without redis-cli or a client library. */
public final class Resp implements AutoCloseable {

    /** An error reply ({@code -ERR ...}) from the server. */
    public static final class ErrorReply extends IOException {
        private static final long serialVersionUID = 1L;

        ErrorReply(String message) {
            super(message);
        }
    }

    /** Passwords of the loopback servers that require one, by port: every harness connection to them authenticates. */
    private static final Map<Integer, String> PASSWORDS = new ConcurrentHashMap<>();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** Makes every later connection to 127.0.0.1:{@code port} send AUTH {@code password} first. */
    static void authenticate(int port, String password) {
        PASSWORDS.put(port, password);
    }

    public Resp(String host, int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream());
            String password = "127.0.0.1".equals(host) ? PASSWORDS.get(port) : null;
            if (password != null) {
                call("AUTH", password);
            }
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    public static Resp connect(int port) throws IOException {
        return new Resp("127.0.0.1", port, 5000);
    }

    /** One command; replies are String (simple and bulk), Long, List&lt;Object&gt; or null. */
    public Object call(String... args) throws IOException {
        return call(List.of(args));
    }

    public Object call(List<String> args) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        buf.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            buf.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            buf.writeBytes(b);
            buf.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(buf.toByteArray());
        out.flush();
        return read();
    }

    /** A command whose reply is text (INFO, CLUSTER INFO, CLUSTER NODES, ...). */
    public String text(String... args) throws IOException {
        Object r = call(args);
        return r == null ? null : r.toString();
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by server");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new ErrorReply(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(len);
                if (data.length < len) {
                    throw new EOFException("short bulk reply");
                }
                readLine();
                return new String(data, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    try {
                        items.add(read());
                    } catch (ErrorReply e) {
                        items.add(e);
                    }
                }
                return items;
            }
            default:
                throw new IOException("unexpected RESP type byte " + (char) type);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed by server");
            }
            if (c == '\r') {
                int n = in.read();
                if (n == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(c);
                if (n >= 0) {
                    line.write(n);
                }
                continue;
            }
            line.write(c);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket we no longer need
        }
    }
}
