package ai.kiku.common.contract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The API key's format: {@code kiku_live_} followed by 43 base62 characters (about 256 bits), and the
 * SHA-256 hex of the whole key, which is all billing keeps and the key index in Redis is named by.
 * billing issues keys with it, the gateway reads them with it, and the test fakes publish them with it.
 */
public final class ApiKeyFormat {

    public static final String PREFIX = "kiku_live_";
    /** 43 base62 characters carry about 256 bits of randomness. */
    public static final int RANDOM_LENGTH = 43;
    /** Characters shown to people to recognise a key: the prefix plus four random ones. */
    public static final int DISPLAY_LENGTH = PREFIX.length() + 4;

    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private ApiKeyFormat() {
    }

    /** A new random key. */
    public static String generate() {
        StringBuilder key = new StringBuilder(PREFIX.length() + RANDOM_LENGTH).append(PREFIX);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            key.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        return key.toString();
    }

    /** Whether a presented key has the format (prefix, length, base62 only); says nothing of whether it exists. */
    public static boolean wellFormed(String key) {
        if (key == null || key.length() != PREFIX.length() + RANDOM_LENGTH || !key.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < key.length(); i++) {
            char c = key.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return false;
            }
        }
        return true;
    }

    /** The lowercase SHA-256 hex of a key: what is stored and indexed instead of the key. */
    public static String sha256Hex(String key) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return HEX.formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
