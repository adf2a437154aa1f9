package ai.kiku.api.rest;

import ai.kiku.common.money.BalanceView;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written balance JSON is exactly what Jackson writes for the record. */
class BalanceJsonTest {

    @Test
    void shouldWriteTheSameJsonAsJackson() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        for (BalanceView view : new BalanceView[]{new BalanceView("active", 5_000_000, 1_250, 0, "active"),
                new BalanceView("suspended", -42, 0, 2_000_000, "active"),
                new BalanceView("closed", 123_456_789_012L, 99, 1, "active")}) {
            AccountHandlers.Balance balance = AccountHandlers.Balance.of(77, view);
            assertThat(balance.toJson().toString()).isEqualTo(mapper.writeValueAsString(balance));
        }
        assertThat(AccountHandlers.Balance.of(1, new BalanceView("we\"ird", 0, 0, 0, "active")).toJson()).isNull();
    }
}
