package ai.kiku.api.service;

import ai.kiku.common.error.ProblemException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: also the hold id of a metered call and the usage record's key, so they must be unique, and the
 * same for every attempt the load balancer makes at one client request.
 * <p>
 * nginx replays a POST whose connection failed (an instance that closed its listener with the request still in
 * the kernel's accept queue resets it unread). Such a replay carries nginx's {@code $request_id} in
 * {@code X-Kiku-Attempt}, so both attempts have one request id: reserve.lua takes the hold id once (HSETNX), and
 * a repeat of a request an instance did take is refused (409) instead of charged twice. Only the balancer may
 * choose request ids (a client reusing one after its hold's retention would be charged without a second usage
 * record), so the header must start with the shared {@code kiku.api.attempt-token}; any other value is a 400.
 */
public final class RequestIds {

    /** The load balancer's header: {@code <kiku.api.attempt-token>:<32 lowercase hex digits>}. */
    public static final String ATTEMPT_HEADER = "X-Kiku-Attempt";
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int ID_DIGITS = 32;

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

    /**
     * The request id of one client request: {@code req_} and the balancer's attempt id when {@code attempt} (the
     * header's value) is present, else a new one ({@link #next()}).
     *
     * @throws ProblemException 400 naming the header when it is present but not the balancer's
     */
    public static String of(String attempt, Optional<String> token) {
        if (attempt == null) {
            return next();
        }
        int colon = attempt.lastIndexOf(':');
        if (token.isEmpty() || token.get().isEmpty() || colon < 0
                || !MessageDigest.isEqual(attempt.substring(0, colon).getBytes(StandardCharsets.UTF_8),
                        token.get().getBytes(StandardCharsets.UTF_8))
                || !isAttemptId(attempt, colon + 1)) {
            throw ProblemException.badRequest(ATTEMPT_HEADER,
                    ATTEMPT_HEADER + " is set by KikuAI's load balancer only; send the request without it");
        }
        return "req_" + attempt.substring(colon + 1);
    }

    private static boolean isAttemptId(String value, int from) {
        if (value.length() - from != ID_DIGITS) {
            return false;
        }
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    private static void write(char[] out, int at, long bits) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (bits & 0xF)];
            bits >>>= 4;
        }
    }
}
