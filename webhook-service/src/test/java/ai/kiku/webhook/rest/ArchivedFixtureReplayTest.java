package ai.kiku.webhook.rest;

import ai.kiku.webhook.service.SignatureVerifier;
import ai.kiku.webhook.support.InboxProbe;
import ai.kiku.webhook.support.Paddle;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Paddle's own signed deliveries (shared/fixtures/paddle, from Paddle's SDK test suite) against the
 * real endpoint, with the age check off ({@code signature-max-age=0}, as for replaying archives)
 * and the fixtures' endpoint secret configured next to ours.
 */
@QuarkusTest
@TestProfile(ArchivedFixtureReplayTest.ArchiveReplay.class)
class ArchivedFixtureReplayTest {

    static final String FIXTURE_SECRET = "pdl_ntfset_01hs0t3tw21j988db1pam5xg8m_GrOWLNef+vmtjJYq4mSnHNzvc8uWoJ1I";
    static final String STANDARD_SIG = "ts=1710498758;h1=558bf93944dbeb4790c7a8af6cb2ea435c8ca9c8396aafc1a4e37424ac132744";
    static final String SPECIAL_SIG = "ts=1710498288;h1=38219b3ba1578184e625c29d201a27cd25bd69e2ec9c3ab87dcb90d87ff73a41";

    /** Age check off and the fixtures' secret accepted (second in the list: rotation order must not matter). */
    public static class ArchiveReplay implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kiku.paddle.signature-max-age", "0",
                    "kiku.paddle.webhook-secrets", Paddle.SECRET + "," + FIXTURE_SECRET);
        }
    }

    @Inject
    InboxProbe inbox;

    Path dir;

    @BeforeEach
    void fixtures() {
        dir = Paddle.fixtures().orElse(null);
        Assumptions.assumeTrue(dir != null, "../shared/fixtures/paddle is absent: skipping Paddle's own deliveries");
    }

    @Test
    void shouldVerifyAndStorePaddlesSignedDeliveriesByTheirRawBytes() {
        Paddle.deliver(Paddle.fixture(dir, "standard_payload.json"), STANDARD_SIG).then().statusCode(200)
                .body("eventId", equalTo("evt_01hs0tqfme2xwb2hvwv87p8y3w")).body("status", equalTo("ignored"));
        // \u00dc-style escapes: verifies only over the bytes as received
        Paddle.deliver(Paddle.fixture(dir, "special_chars_payload.json"), SPECIAL_SIG).then().statusCode(200)
                .body("eventId", equalTo("evt_01hs0t94tjvtv62azjmkbeysz7"));
        assertThat(inbox.status("evt_01hs0tqfme2xwb2hvwv87p8y3w")).isEqualTo("ignored");
        assertThat(inbox.status("evt_01hs0t94tjvtv62azjmkbeysz7")).isEqualTo("ignored");
        Paddle.deliver(Paddle.fixture(dir, "standard_payload.json"), STANDARD_SIG).then().statusCode(200)
                .body("status", equalTo("duplicate"));
    }

    @Test
    void shouldRefuseAlteredOrBadlySignedFixturesWithNothingStored() {
        long rows = inbox.totalRows();
        byte[] special = Paddle.fixture(dir, "special_chars_payload.json");
        for (int position : new int[] {0, 40, special.length / 2, special.length - 1}) {
            byte[] altered = special.clone();
            altered[position] ^= 0x01;
            Paddle.deliver(altered, SPECIAL_SIG).then().statusCode(401);
        }
        byte[] standard = Paddle.fixture(dir, "standard_payload.json");
        Paddle.deliver(standard, SignatureVerifier.sign("pdl_ntfset_another", 1710498758L, standard))
                .then().statusCode(401);
        Paddle.deliver(standard, SPECIAL_SIG).then().statusCode(401);
        Paddle.deliver(standard, "invalid_header").then().statusCode(401);
        Paddle.deliver(standard, STANDARD_SIG.substring(STANDARD_SIG.indexOf(";") + 1)).then().statusCode(401);
        Paddle.deliver(standard, "ts=1710498758").then().statusCode(401);
        Paddle.deliver(standard, null).then().statusCode(401);
        assertThat(inbox.totalRows()).isEqualTo(rows);
    }

    @Test
    void shouldStillAcceptFreshDeliveriesSignedWithOurSecret() {
        String eventId = Paddle.id("evt");
        byte[] body = Paddle.bytes(Paddle.envelope(eventId, "customer.updated",
                Paddle.MAPPER.createObjectNode().put("id", Paddle.id("ctm"))));
        Paddle.deliver(body, SignatureVerifier.sign(Paddle.SECRET, Instant.now().getEpochSecond(), body))
                .then().statusCode(200);
        assertThat(inbox.status(eventId)).isEqualTo("ignored");
    }
}
