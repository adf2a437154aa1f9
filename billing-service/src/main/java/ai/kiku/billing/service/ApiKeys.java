package ai.kiku.billing.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Generates API key plaintexts and the SHA-256 hashes that are all we keep of them. */
public final class ApiKeys {

    public static final String PREFIX = "kiku_live_";
    /** 43 base62 characters carry about 256 bits of randomness. */
    public static final int RANDOM_LENGTH = 43;
    /** Characters shown to people to recognise a key: the prefix plus four random ones. */
    public static final int DISPLAY_LENGTH = PREFIX.length() + 4;

    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    public static String generate() {
        StringBuilder key = new StringBuilder(PREFIX.length() + RANDOM_LENGTH).append(PREFIX);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            key.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        return key.toString();
    }

    public static String sha256Hex(String plaintext) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(plaintext.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
