package ai.kiku.api.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Anthropic's usage, cache writes and reads included, in input tokens at our price: never below the provider's bill. */
class AnthropicUsageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"input_tokens\":100,\"output_tokens\":7} | 100",
            // a 5-minute write bills 1.25x, rounded up
            "{\"input_tokens\":10,\"cache_creation_input_tokens\":1001,\"cache_creation\":{\"ephemeral_5m_input_tokens\":1001,\"ephemeral_1h_input_tokens\":0},\"output_tokens\":1} | 1262",
            // a 1-hour write bills 2x
            "{\"input_tokens\":10,\"cache_creation_input_tokens\":1000,\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":1000},\"output_tokens\":1} | 2010",
            // writes without the split count as the dearer 1-hour writes
            "{\"input_tokens\":10,\"cache_creation_input_tokens\":1000,\"output_tokens\":1} | 2010",
            // a read bills 0.1x, rounded up
            "{\"input_tokens\":10,\"cache_read_input_tokens\":1001,\"output_tokens\":1} | 111",
            "{\"input_tokens\":0,\"cache_read_input_tokens\":1,\"output_tokens\":1} | 1"})
    void shouldChargeCacheWritesAndReadsAtTheirMultiples(String usage, long input) throws Exception {
        JsonNode chat = AnthropicUsage.chargeable(JSON.readTree(usage));

        assertThat(chat.get("input_tokens").isIntegralNumber()).isTrue();
        assertThat(chat.get("input_tokens").longValue()).isEqualTo(input);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"output_tokens\":1}",
            "{\"input_tokens\":-1,\"output_tokens\":1}",
            "{\"input_tokens\":1.5,\"output_tokens\":1}",
            "{\"input_tokens\":1,\"cache_read_input_tokens\":\"9\",\"output_tokens\":1}",
            "{\"input_tokens\":9223372036854775807,\"cache_creation_input_tokens\":9223372036854775807,\"output_tokens\":1}"})
    void shouldHandOnUnusableCountsSoTheBoundIsCharged(String usage) throws Exception {
        JsonNode chat = AnthropicUsage.chargeable(JSON.readTree(usage));

        assertThat(chat.get("input_tokens").isNumber()).isFalse();
    }

    @Test
    void shouldTakeTheInputFromMessageStartAndTheLastCumulativeOutput() throws Exception {
        JsonNode usage = null;
        for (String event : new String[]{
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":"
                        + "{\"input_tokens\":25,\"cache_read_input_tokens\":100,\"output_tokens\":1}}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":9}}",
                "{\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"output_tokens\":15}}"}) {
            usage = AnthropicUsage.merge(usage, JSON.readTree(event));
        }

        JsonNode charged = AnthropicUsage.chargeable(usage);
        assertThat(charged.get("input_tokens").longValue()).isEqualTo(35);
        assertThat(charged.get("output_tokens").longValue()).isEqualTo(15);
    }

    @Test
    void shouldKeepThePreviousUsageWhenAnEventSaysNothing() throws Exception {
        JsonNode before = JSON.readTree("{\"input_tokens\":3}");

        assertThat(AnthropicUsage.merge(before, JSON.readTree("{\"type\":\"ping\"}"))).isSameAs(before);
        assertThat(AnthropicUsage.merge(null, JSON.readTree("{\"type\":\"message_stop\"}"))).isNull();
    }
}
