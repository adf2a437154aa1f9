package ai.kiku.billing;

import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.events.NotifyEventType;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
class LowBalanceTest extends BillingTestBase {

    @Test
    void shouldNotifyOncePerCrossingAndReArmAfterATopUp() {
        long account = createAccount();
        long key = createKey(account, 10_000);
        credit(account, 1_500_000); // threshold is the default 1.00 USD
        charge(account, key, 300_000, 300_000); // 1.20: above
        charge(account, key, 300_000, 300_000); // 0.90: crossing
        charge(account, key, 300_000, 300_000); // 0.60: still below, no new event
        charge(account, key, 100_000, 100_000); // 0.50
        awaitDrained(account);
        eventually("first low-balance event", Duration.ofSeconds(30), () -> lowBalance(account).size() == 1);
        assertThat(lowBalance(account).get(0).balanceMicros()).isEqualTo(900_000);

        credit(account, 1_000_000); // 1.50: re-armed
        charge(account, key, 300_000, 300_000); // 1.20
        charge(account, key, 300_000, 300_000); // 0.90: second crossing
        awaitDrained(account);
        eventually("second low-balance event", Duration.ofSeconds(30), () -> lowBalance(account).size() == 2);
        List<NotifyEvent> events = lowBalance(account);
        assertThat(events).extracting(NotifyEvent::balanceMicros).containsExactly(900_000L, 900_000L);
        assertThat(events).extracting(NotifyEvent::id).allMatch(id -> id.startsWith("low:")).doesNotHaveDuplicates();
        assertThat(events.get(0).telegramUserId()).isPositive();
        assertThat(events.get(0).amountMicros()).as("the threshold crossed").isEqualTo(1_000_000);
        assertThat(sqlLong("SELECT count(*) FROM usage_records WHERE account_id = $1", account)).isEqualTo(6);
    }

    private List<NotifyEvent> lowBalance(long account) {
        return notifications(account).stream().filter(e -> e.type() == NotifyEventType.LOW_BALANCE).toList();
    }
}
