package ai.kiku.devstack;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A minimal PostgreSQL wire-protocol client (simple queries; trust, password, md5 and SCRAM-SHA-256 auth), so the
 * harness can create databases in modules that have no JDBC driver on their test classpath.
 */
public final class PgWire implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private PgWire(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    public static PgWire connect(String host, int port, String user, String password, String database) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5000);
        s.setSoTimeout(60_000);
        PgWire pg = new PgWire(s);
        try {
            pg.startup(user, password, database);
            return pg;
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    /** Runs one simple query and returns the text rows of its last result (empty for commands). */
    public List<List<String>> query(String sql) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        cstring(body, sql);
        send('Q', body.toByteArray());
        List<List<String>> rows = new ArrayList<>();
        IOException error = null;
        while (true) {
            int type = in.readUnsignedByte();
            byte[] payload = new byte[in.readInt() - 4];
            in.readFully(payload);
            switch (type) {
                case 'T' -> rows.clear();
                case 'D' -> rows.add(dataRow(payload));
                case 'E' -> error = new IOException("PostgreSQL: " + errorText(payload) + " [" + sql + "]");
                case 'Z' -> {
                    if (error != null) {
                        throw error;
                    }
                    return rows;
                }
                default -> {
                    // CommandComplete, NoticeResponse, ParameterStatus, EmptyQueryResponse: nothing to keep
                }
            }
        }
    }

    private void startup(String user, String password, String database) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(body);
        d.writeInt(196608); // protocol 3.0
        cstring(body, "user");
        cstring(body, user);
        cstring(body, "database");
        cstring(body, database);
        cstring(body, "client_encoding");
        cstring(body, "UTF8");
        body.write(0);
        byte[] b = body.toByteArray();
        DataOutputStream o = new DataOutputStream(out);
        o.writeInt(b.length + 4);
        o.write(b);
        o.flush();

        Scram scram = null;
        while (true) {
            int type = in.readUnsignedByte();
            byte[] payload = new byte[in.readInt() - 4];
            in.readFully(payload);
            if (type == 'E') {
                throw new IOException("PostgreSQL: " + errorText(payload));
            }
            if (type == 'Z') {
                return;
            }
            if (type != 'R') {
                continue;
            }
            DataInputStream p = new DataInputStream(new java.io.ByteArrayInputStream(payload));
            int code = p.readInt();
            switch (code) {
                case 0 -> {
                    // AuthenticationOk; parameters and ReadyForQuery follow
                }
                case 3 -> sendPassword(password);
                case 5 -> {
                    byte[] salt = p.readNBytes(4);
                    String inner = md5Hex((password + user).getBytes(StandardCharsets.UTF_8));
                    ByteArrayOutputStream x = new ByteArrayOutputStream();
                    x.writeBytes(inner.getBytes(StandardCharsets.UTF_8));
                    x.writeBytes(salt);
                    sendPassword("md5" + md5Hex(x.toByteArray()));
                }
                case 10 -> {
                    scram = new Scram(password);
                    byte[] first = scram.clientFirst().getBytes(StandardCharsets.UTF_8);
                    ByteArrayOutputStream m = new ByteArrayOutputStream();
                    cstring(m, "SCRAM-SHA-256");
                    new DataOutputStream(m).writeInt(first.length);
                    m.writeBytes(first);
                    send('p', m.toByteArray());
                }
                case 11 -> {
                    if (scram == null) {
                        throw new IOException("SCRAM continue without start");
                    }
                    String serverFirst = new String(payload, 4, payload.length - 4, StandardCharsets.UTF_8);
                    send('p', scram.clientFinal(serverFirst).getBytes(StandardCharsets.UTF_8));
                }
                case 12 -> {
                    // SASL final: server signature; we trust the local server we started
                }
                default -> throw new IOException("unsupported PostgreSQL authentication method " + code);
            }
        }
    }

    private void sendPassword(String password) throws IOException {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        cstring(m, password);
        send('p', m.toByteArray());
    }

    private void send(char type, byte[] body) throws IOException {
        DataOutputStream o = new DataOutputStream(out);
        o.writeByte(type);
        o.writeInt(body.length + 4);
        o.write(body);
        o.flush();
    }

    private static void cstring(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    private static List<String> dataRow(byte[] payload) throws IOException {
        DataInputStream p = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        int n = p.readUnsignedShort();
        List<String> row = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = p.readInt();
            row.add(len < 0 ? null : new String(p.readNBytes(len), StandardCharsets.UTF_8));
        }
        return row;
    }

    private static String errorText(byte[] payload) {
        Map<Character, String> fields = new HashMap<>();
        int i = 0;
        while (i < payload.length && payload[i] != 0) {
            char code = (char) payload[i++];
            int start = i;
            while (i < payload.length && payload[i] != 0) {
                i++;
            }
            fields.put(code, new String(payload, start, i - start, StandardCharsets.UTF_8));
            i++;
        }
        return fields.getOrDefault('S', "ERROR") + " " + fields.getOrDefault('C', "") + ": " + fields.getOrDefault('M', "");
    }

    private static String md5Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            send('X', new byte[0]);
        } catch (IOException ignored) {
            // the connection is going away anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** RFC 5802 / 7677 client side, without channel binding (PostgreSQL ignores the user name in the messages). */
    private static final class Scram {
        private final String password;
        private final String clientFirstBare;
        private final String clientNonce;

        Scram(String password) {
            this.password = password;
            byte[] nonce = new byte[18];
            new SecureRandom().nextBytes(nonce);
            this.clientNonce = Base64.getEncoder().encodeToString(nonce);
            this.clientFirstBare = "n=,r=" + clientNonce;
        }

        String clientFirst() {
            return "n,," + clientFirstBare;
        }

        String clientFinal(String serverFirst) throws IOException {
            Map<String, String> attrs = new HashMap<>();
            for (String part : serverFirst.split(",")) {
                attrs.put(part.substring(0, 1), part.substring(2));
            }
            String nonce = attrs.get("r");
            if (nonce == null || !nonce.startsWith(clientNonce)) {
                throw new IOException("bad SCRAM server nonce");
            }
            byte[] salt = Base64.getDecoder().decode(attrs.get("s"));
            int iterations = Integer.parseInt(attrs.get("i"));
            try {
                SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
                byte[] salted = f.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
                byte[] clientKey = hmac(salted, "Client Key");
                byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
                String withoutProof = "c=biws,r=" + nonce;
                String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
                byte[] signature = hmac(storedKey, authMessage);
                byte[] proof = new byte[clientKey.length];
                for (int i = 0; i < proof.length; i++) {
                    proof[i] = (byte) (clientKey[i] ^ signature[i]);
                }
                return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
        }

        private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        }
    }
}
