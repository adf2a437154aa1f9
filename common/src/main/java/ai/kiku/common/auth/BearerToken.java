package ai.kiku.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * A configured shared secret (admin token, service token, webhook secret) and the one way the
 * platform checks a presented one: SHA-256 digests compared with {@link MessageDigest#isEqual},
 * so the comparison takes the same time whatever is presented and leaks not even the length.
 */
public final class BearerToken {

    private static final String BEARER = "Bearer ";

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
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        return matches(header.substring(BEARER.length()).strip());
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
