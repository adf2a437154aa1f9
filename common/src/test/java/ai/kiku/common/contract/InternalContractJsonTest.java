package ai.kiku.common.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the internal API's JSON: the field names every service and the e2e journey read. A renamed record
 * component changes the wire format for every client at once, so it must fail here first.
 */
class InternalContractJsonTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");
    private final ObjectMapper json = JsonMapper.builder().findAndAddModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    @Test
    void shouldWriteAnAccountWithTheFieldNamesClientsRead() throws Exception {
        assertThat(json.writeValueAsString(new AccountView(7, 42L, "Ann", "active", 1_500_000, "1.500000", 0,
                1_000_000, 600, AT))).isEqualTo("{\"accountId\":7,\"telegramUserId\":42,\"displayName\":\"Ann\","
                + "\"status\":\"active\",\"balanceMicros\":1500000,\"balance\":\"1.500000\",\"heldMicros\":0,"
                + "\"lowBalanceThresholdMicros\":1000000,\"defaultRateLimitPerMinute\":600,"
                + "\"createdAt\":\"2026-12-01T10:00:00Z\"}");
    }

    @Test
    void shouldShowAKeysPlaintextOnlyWhenItIsThere() throws Exception {
        ApiKey listed = new ApiKey(3, null, "kiku_live_Ab12", "ci", 600, ApiKey.ACTIVE, AT, null);
        assertThat(json.writeValueAsString(listed)).isEqualTo("{\"keyId\":3,\"prefix\":\"kiku_live_Ab12\","
                + "\"name\":\"ci\",\"rateLimitPerMinute\":600,\"status\":\"active\","
                + "\"createdAt\":\"2026-12-01T10:00:00Z\",\"lastUsedAt\":null}");
        assertThat(json.writeValueAsString(listed.withPlaintext("kiku_live_x"))).contains("\"key\":\"kiku_live_x\"");
    }

    @Test
    void shouldWriteTheBodiesClientsSend() throws Exception {
        assertThat(json.writeValueAsString(new InternalRequests.CreateKey("ci")))
                .as("an unset rate limit is not sent").isEqualTo("{\"name\":\"ci\"}");
        assertThat(json.writeValueAsString(new InternalRequests.CreateAccount(42L, null)))
                .isEqualTo("{\"telegramUserId\":42,\"displayName\":null}");
        assertThat(json.writeValueAsString(new InternalRequests.Ledger("payment", 5_000_000L, "txn_1", "pack")))
                .isEqualTo("{\"kind\":\"payment\",\"amountMicros\":5000000,\"externalRef\":\"txn_1\","
                        + "\"description\":\"pack\"}");
        assertThat(json.writeValueAsString(new InternalRequests.CreateCheckout(7L, "pri_5", 1)))
                .isEqualTo("{\"accountId\":7,\"paddlePriceId\":\"pri_5\",\"quantity\":1}");
    }

    @Test
    void shouldWriteTheCatalogueUsageAndLedgerAnswers() throws Exception {
        assertThat(json.writeValueAsString(new Catalogue(
                List.of(new Catalogue.Product("llm", "LLM", "chat", 1000)),
                List.of(new Catalogue.ModelPrice("m", "llm", 1, 2, 4096)),
                List.of(new Catalogue.CreditPack("pri_5", "$5", 5_000_000, "USD 5.00")))))
                .isEqualTo("{\"products\":[{\"productId\":\"llm\",\"name\":\"LLM\",\"description\":\"chat\","
                        + "\"pricePerRequestMicros\":1000}],\"models\":[{\"model\":\"m\",\"productId\":\"llm\","
                        + "\"inputPerMillionMicros\":1,\"outputPerMillionMicros\":2,\"maxOutputTokens\":4096}],"
                        + "\"creditPacks\":[{\"paddlePriceId\":\"pri_5\",\"name\":\"$5\",\"creditsMicros\":5000000,"
                        + "\"priceLabel\":\"USD 5.00\"}]}");
        assertThat(json.writeValueAsString(new UsageReport(7, AT, AT, "day", UsageReport.Row.of(null, 1, 2, 3, 4),
                List.of()))).isEqualTo("{\"accountId\":7,\"from\":\"2026-12-01T10:00:00Z\","
                + "\"to\":\"2026-12-01T10:00:00Z\",\"groupBy\":\"day\",\"totals\":{\"group\":null,\"requests\":1,"
                + "\"inputTokens\":2,\"outputTokens\":3,\"costMicros\":4,\"cost\":\"0.000004\"},\"breakdown\":[]}");
        assertThat(json.writeValueAsString(new LedgerResult(true, 5, "0.000005")))
                .isEqualTo("{\"applied\":true,\"balanceMicros\":5,\"balance\":\"0.000005\"}");
        assertThat(json.writeValueAsString(new Checkout("txn_1", "https://pay", 5, "0.000005")))
                .isEqualTo("{\"transactionId\":\"txn_1\",\"checkoutUrl\":\"https://pay\",\"creditsMicros\":5,"
                        + "\"credits\":\"0.000005\"}");
    }

    @Test
    void shouldReadAnswersWithFieldsAClientDoesNotKnow() throws Exception {
        AccountView read = new ObjectMapper().findAndRegisterModules()
                .readValue("{\"accountId\":7,\"status\":\"active\",\"addedLater\":1}", AccountView.class);
        assertThat(read.accountId()).isEqualTo(7);
        assertThat(read.status()).isEqualTo("active");
    }

    @Test
    void shouldIssueKeysOfTheFormatItAccepts() {
        String key = ApiKeyFormat.generate();
        assertThat(key).matches("kiku_live_[0-9A-Za-z]{43}");
        assertThat(ApiKeyFormat.wellFormed(key)).isTrue();
        assertThat(ApiKeyFormat.wellFormed(key + "x")).isFalse();
        assertThat(ApiKeyFormat.wellFormed(key.replace('_', '-'))).isFalse();
        assertThat(ApiKeyFormat.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
