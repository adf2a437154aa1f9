package ai.kiku.webhook.service;

import ai.kiku.webhook.service.SignatureVerifier.Verdict;
import ai.kiku.webhook.support.Paddle;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The verifier on its own: Paddle's algorithm, header grammar, rotation and the age window. */
class SignatureVerifierTest {

    private static final String FIXTURE_SECRET = "pdl_ntfset_01hs0t3tw21j988db1pam5xg8m_GrOWLNef+vmtjJYq4mSnHNzvc8uWoJ1I";
    private static final byte[] BODY = "{\"event_id\":\"evt_1\"}".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);

    private static Verdict verify(String header, byte[] body, List<String> secrets, Duration maxAge) {
        return SignatureVerifier.verify(header, body, secrets, maxAge, NOW);
    }

    @Test
    void shouldVerifyPaddlesOwnSignedFixturesWithAgeCheckOff() {
        Path dir = Paddle.fixtures().orElse(null);
        Assumptions.assumeTrue(dir != null, "../shared/fixtures/paddle is absent: skipping Paddle's own fixtures");
        byte[] standard = Paddle.fixture(dir, "standard_payload.json");
        byte[] special = Paddle.fixture(dir, "special_chars_payload.json");
        String standardSig = "ts=1710498758;h1=558bf93944dbeb4790c7a8af6cb2ea435c8ca9c8396aafc1a4e37424ac132744";
        String specialSig = "ts=1710498288;h1=38219b3ba1578184e625c29d201a27cd25bd69e2ec9c3ab87dcb90d87ff73a41";

        assertThat(verify(standardSig, standard, List.of(FIXTURE_SECRET), Duration.ZERO)).isEqualTo(Verdict.VALID);
        assertThat(verify(specialSig, special, List.of(FIXTURE_SECRET), Duration.ZERO)).isEqualTo(Verdict.VALID);
        assertThat(verify(standardSig, standard, List.of(FIXTURE_SECRET), Duration.ofSeconds(5)))
                .isEqualTo(Verdict.STALE);
        assertThat(verify(specialSig, standard, List.of(FIXTURE_SECRET), Duration.ZERO)).isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void shouldAcceptAnyH1AgainstAnySecretForRotation() {
        long ts = NOW.getEpochSecond();
        String oldSig = SignatureVerifier.sign("old", ts, BODY);
        String newH1 = SignatureVerifier.sign("new", ts, BODY).split(";")[1];

        assertThat(verify(oldSig + ";" + newH1, BODY, List.of("new"), Duration.ofSeconds(5))).isEqualTo(Verdict.VALID);
        assertThat(verify(oldSig, BODY, List.of("new", "old"), Duration.ofSeconds(5))).isEqualTo(Verdict.VALID);
        assertThat(verify(oldSig, BODY, List.of("new"), Duration.ofSeconds(5))).isEqualTo(Verdict.MISMATCH);
        assertThat(verify(oldSig, BODY, List.of(), Duration.ofSeconds(5))).isEqualTo(Verdict.NO_SECRET);
    }

    @Test
    void shouldRefuseMalformedHeaders() {
        String h1 = SignatureVerifier.sign("s", NOW.getEpochSecond(), BODY).split(";")[1];
        List<String> secrets = List.of("s");
        assertThat(verify(null, BODY, secrets, Duration.ZERO)).isEqualTo(Verdict.MISSING);
        assertThat(verify("", BODY, secrets, Duration.ZERO)).isEqualTo(Verdict.MISSING);
        assertThat(verify("invalid_header", BODY, secrets, Duration.ZERO)).isEqualTo(Verdict.MALFORMED);
        assertThat(verify(h1, BODY, secrets, Duration.ZERO)).isEqualTo(Verdict.MALFORMED);
        assertThat(verify("ts=" + NOW.getEpochSecond(), BODY, secrets, Duration.ZERO)).isEqualTo(Verdict.MALFORMED);
        assertThat(verify("ts=abc;" + h1, BODY, secrets, Duration.ZERO)).isEqualTo(Verdict.MALFORMED);
        assertThat(verify("ts=1;ts=2;" + h1, BODY, secrets, Duration.ZERO)).isEqualTo(Verdict.MALFORMED);
        assertThat(verify("ts=" + NOW.getEpochSecond() + ";h1=zz", BODY, secrets, Duration.ZERO))
                .isEqualTo(Verdict.MALFORMED);
    }

    @Test
    void shouldRefuseTimestampsOlderThanMaxAgeUnlessCheckIsOff() {
        long fresh = NOW.getEpochSecond() - 5;
        long stale = NOW.getEpochSecond() - 6;
        List<String> secrets = List.of("s");
        assertThat(verify(SignatureVerifier.sign("s", fresh, BODY), BODY, secrets, Duration.ofSeconds(5)))
                .isEqualTo(Verdict.VALID);
        assertThat(verify(SignatureVerifier.sign("s", stale, BODY), BODY, secrets, Duration.ofSeconds(5)))
                .isEqualTo(Verdict.STALE);
        assertThat(verify(SignatureVerifier.sign("s", stale, BODY), BODY, secrets, Duration.ZERO))
                .isEqualTo(Verdict.VALID);
    }

    @Test
    void shouldSkipH1ValuesThatAreNotDigestsAndAcceptAValidOneBesideThem() {
        long ts = NOW.getEpochSecond();
        String valid = SignatureVerifier.sign("s", ts, BODY).split(";")[1];
        List<String> secrets = List.of("s");
        for (String junk : List.of("h1=junk", "h1=", "h1=zz", "h1=" + "a".repeat(63), "h1=" + "g".repeat(64),
                "h1=" + "0".repeat(128))) {
            assertThat(verify("ts=" + ts + ";" + junk + ";" + valid, BODY, secrets, Duration.ofSeconds(5)))
                    .as(junk + " before a valid h1").isEqualTo(Verdict.VALID);
            assertThat(verify("ts=" + ts + ";" + valid + ";" + junk, BODY, secrets, Duration.ofSeconds(5)))
                    .as(junk + " after a valid h1").isEqualTo(Verdict.VALID);
        }
        // only junk: no candidate at all, refused
        assertThat(verify("ts=" + ts + ";h1=junk", BODY, secrets, Duration.ofSeconds(5))).isEqualTo(Verdict.MALFORMED);
    }

    /** Paddle's own signed delivery, its real h1 behind junk and behind another secret's digest. */
    @Test
    void shouldFindPaddlesRealSignatureAmongJunkAndForeignH1s() {
        Path dir = Paddle.fixtures().orElse(null);
        Assumptions.assumeTrue(dir != null, "../shared/fixtures/paddle is absent: skipping Paddle's own fixtures");
        byte[] standard = Paddle.fixture(dir, "standard_payload.json");
        String real = "h1=558bf93944dbeb4790c7a8af6cb2ea435c8ca9c8396aafc1a4e37424ac132744";
        String foreign = SignatureVerifier.sign("pdl_ntfset_other", 1710498758L, standard).split(";")[1];

        assertThat(verify("ts=1710498758;h1=junk;" + real, standard, List.of(FIXTURE_SECRET), Duration.ZERO))
                .isEqualTo(Verdict.VALID);
        assertThat(verify("ts=1710498758;" + foreign + ";h1=;" + real, standard, List.of("other", FIXTURE_SECRET),
                Duration.ZERO)).isEqualTo(Verdict.VALID);
        assertThat(verify("ts=1710498758;h1=junk;" + foreign, standard, List.of(FIXTURE_SECRET), Duration.ZERO))
                .isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void shouldAcceptAValidH1AfterManyWrongOnes() {
        long ts = NOW.getEpochSecond();
        StringBuilder header = new StringBuilder("ts=" + ts);
        for (int i = 0; i < 20; i++) {
            header.append(';').append(SignatureVerifier.sign("wrong-" + i, ts, BODY).split(";")[1]);
        }
        header.append(';').append(SignatureVerifier.sign("s", ts, BODY).split(";")[1]);
        assertThat(verify(header.toString(), BODY, List.of("other", "s"), Duration.ofSeconds(5))).isEqualTo(Verdict.VALID);
    }

    @Test
    void shouldIgnoreEmptyPartsAsPaddlesSdksDo() {
        String[] signed = SignatureVerifier.sign("s", NOW.getEpochSecond(), BODY).split(";");
        assertThat(verify(signed[0] + ";;" + signed[1] + ";", BODY, List.of("s"), Duration.ofSeconds(5)))
                .isEqualTo(Verdict.VALID);
    }

    @Test
    void shouldRefuseTimestampsFurtherInTheFutureThanMaxAge() {
        long ahead = NOW.getEpochSecond() + 5;
        long tooFar = NOW.getEpochSecond() + 6;
        List<String> secrets = List.of("s");
        assertThat(verify(SignatureVerifier.sign("s", ahead, BODY), BODY, secrets, Duration.ofSeconds(5)))
                .isEqualTo(Verdict.VALID);
        assertThat(verify(SignatureVerifier.sign("s", tooFar, BODY), BODY, secrets, Duration.ofSeconds(5)))
                .isEqualTo(Verdict.STALE);
        assertThat(verify(SignatureVerifier.sign("s", NOW.getEpochSecond() + 86_400 * 365, BODY), BODY, secrets,
                Duration.ofSeconds(5))).isEqualTo(Verdict.STALE);
        // the age check off (replaying archives) lets any ts through, as for old ones
        assertThat(verify(SignatureVerifier.sign("s", tooFar, BODY), BODY, secrets, Duration.ZERO))
                .isEqualTo(Verdict.VALID);
    }

    @Test
    void shouldBindTheSignatureToTheTimestamp() {
        long ts = NOW.getEpochSecond();
        String h1 = SignatureVerifier.sign("s", ts, BODY).split(";")[1];
        assertThat(verify("ts=" + (ts - 1) + ";" + h1, BODY, List.of("s"), Duration.ZERO)).isEqualTo(Verdict.MISMATCH);
    }
}
