package ai.kiku.webhook.service;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a {@code Paddle-Signature} header the way Paddle's SDKs do:
 * {@code hex(HMAC-SHA256(secret, ts + ":" + rawBody))} over the raw bytes as received, compared in
 * constant time, accepted when any {@code h1} matches any secret and {@code ts} is recent enough.
 * As in the SDKs, an {@code h1} that is not a digest simply matches nothing (it does not spoil the
 * header), and parts without {@code =} are skipped. Unlike them, a {@code ts} further in the future
 * than the max age is refused like a stale one: a signature minted ahead must not be replayable later.
 */
public final class SignatureVerifier {

    /** Why a signature was refused; the names end up in logs and metrics, never in responses. */
    public enum Verdict { VALID, MISSING, MALFORMED, STALE, MISMATCH, NO_SECRET }

    // bounds the work per header: at most ~60 candidates fit, each compared against one HMAC per secret
    private static final int MAX_HEADER_LENGTH = 4096;
    private static final int SHA256_HEX_LENGTH = 64;
    private static final Pattern DIGEST = Pattern.compile("[0-9a-fA-F]{64}");

    private SignatureVerifier() {
    }

    /** Parsed header: the signed timestamp and every {@code h1} candidate (decoded). */
    record Header(String ts, List<byte[]> signatures) {
    }

    public static Verdict verify(String header, byte[] rawBody, List<String> secrets, Duration maxAge, Instant now) {
        if (header == null || header.isBlank()) {
            return Verdict.MISSING;
        }
        Header parsed = parse(header);
        if (parsed == null) {
            return Verdict.MALFORMED;
        }
        if (!maxAge.isZero() && Math.abs(now.getEpochSecond() - Long.parseLong(parsed.ts())) > maxAge.toSeconds()) {
            return Verdict.STALE;
        }
        if (secrets.isEmpty()) {
            return Verdict.NO_SECRET;
        }
        boolean match = false;
        for (String secret : secrets) {
            byte[] expected = hmac(secret, parsed.ts(), rawBody);
            for (byte[] candidate : parsed.signatures()) {
                // no early exit: every pair is compared, each in constant time
                match |= MessageDigest.isEqual(expected, candidate);
            }
        }
        return match ? Verdict.VALID : Verdict.MISMATCH;
    }

    /** Builds a header value for {@code rawBody}, as Paddle (and our simulator and tests) sign. */
    public static String sign(String secret, long ts, byte[] rawBody) {
        return "ts=" + ts + ";h1=" + HexFormat.of().formatHex(hmac(secret, Long.toString(ts), rawBody));
    }

    /**
     * Returns null when the header lacks exactly one numeric {@code ts} or any well-formed {@code h1}.
     * An {@code h1} that is not 64 hex digits is no candidate (it could never match) and is skipped.
     */
    static Header parse(String header) {
        if (header.length() > MAX_HEADER_LENGTH) {
            return null;
        }
        String ts = null;
        List<byte[]> signatures = new ArrayList<>();
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue; // as Paddle's SDKs: a part without '=' says nothing
            }
            String key = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            if (key.equals("ts")) {
                if (ts != null || !value.matches("\\d{1,12}")) {
                    return null;
                }
                ts = value;
            } else if (key.equals("h1") && value.length() == SHA256_HEX_LENGTH && DIGEST.matcher(value).matches()) {
                signatures.add(HexFormat.of().parseHex(value));
            }
            // other keys (future signature versions) and junk h1 values are ignored
        }
        return ts == null || signatures.isEmpty() ? null : new Header(ts, signatures);
    }

    private static byte[] hmac(String secret, String ts, byte[] rawBody) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(ts.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) ':');
            return mac.doFinal(rawBody);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
