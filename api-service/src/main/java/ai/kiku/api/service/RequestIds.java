package ai.kiku.api.service;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: also the hold id of a metered call and the usage record's key, so they must be unique. */
public final class RequestIds {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /** {@code req_} followed by 128 random bits in hex. */
    public static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[36];
        out[0] = 'r';
        out[1] = 'e';
        out[2] = 'q';
        out[3] = '_';
        write(out, 4, random.nextLong());
        write(out, 20, random.nextLong());
        return new String(out);
    }

    private static void write(char[] out, int at, long bits) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (bits & 0xF)];
            bits >>>= 4;
        }
    }
}
