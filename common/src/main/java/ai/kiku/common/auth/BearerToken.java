package ai.kiku.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * A configured shared secret (admin token, service token, webhook secret) and the one way the
 * platform checks a presented one: SHA-256 digests compared with {@link MessageDigest#isEqual},
 * so the comparison takes the same time whatever is presented and leaks not even the length.
 *
 * <p>{@link #credentials} is also the only reader of {@code Authorization: Bearer} in the platform
 * (API keys included), so every service accepts and refuses exactly the same headers. The rule is
 * the RFCs': the scheme is case-insensitive (RFC 7235 §2.1), one or more spaces follow it
 * ({@code "Bearer" 1*SP b64token}, RFC 6750 §2.1), then the token, which runs to the end of the
 * header. The token may be any visible ASCII (wider than b64token, so an operator's secret with
 * other punctuation still works); a tab, any other whitespace or control character, a non-ASCII
 * character or a second word makes the header unreadable: 401 like a wrong token.
 */
public final class BearerToken {

    private static final String SCHEME = "Bearer";

    private final byte[] digest;

    private BearerToken(byte[] digest) {
        this.digest = digest;
    }

    /** An unset or blank secret matches nothing. */
    public static BearerToken of(Optional<String> secret) {
        return new BearerToken(secret.filter(s -> !s.isBlank()).map(BearerToken::sha256).orElse(null));
    }

    public boolean configured() {
        return digest != null;
    }

    /** Whether a raw presented secret (e.g. a header value) is this one. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        byte[] candidate = sha256(presented);
        return digest != null && MessageDigest.isEqual(digest, candidate);
    }

    /** Whether an {@code Authorization} header carries this secret as a bearer token. */
    public boolean matchesAuthorization(String header) {
        String token = credentials(header);
        return token != null && matches(token);
    }

    /**
     * The token of an {@code Authorization: Bearer <token>} header, or null when the header is
     * absent or not exactly that shape (see the class comment for the rule).
     */
    public static String credentials(String header) {
        int length = header == null ? 0 : header.length();
        if (length <= SCHEME.length() + 1 || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                || header.charAt(SCHEME.length()) != ' ') {
            return null;
        }
        int from = SCHEME.length();
        while (from < length && header.charAt(from) == ' ') {
            from++;
        }
        for (int i = from; i < length; i++) {
            char c = header.charAt(i);
            if (c <= ' ' || c > '~') {
                return null;
            }
        }
        return from == length ? null : header.substring(from);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
