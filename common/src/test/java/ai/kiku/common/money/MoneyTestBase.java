package ai.kiku.common.money;

import ai.kiku.devstack.RedisCluster;
import ai.kiku.devstack.RedisServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;

/**
 * One {@link MoneyFixture} over the shared Redis Cluster per test class, for tests of the money scripts. A subclass
 * runs them on another topology by hiding {@link #openFixture()} with its own that calls {@link #open}.
 */
abstract class MoneyTestBase {

    static final Duration WAIT = Duration.ofSeconds(60);
    static MoneyFixture money;
    static RedisServers servers;

    @BeforeAll
    static void openFixture() {
        open(RedisCluster.shared());
    }

    static void open(RedisServers redis) {
        servers = redis;
        money = new MoneyFixture(redis);
    }

    @AfterAll
    static void closeFixture() {
        money.close();
    }

    /** An account with key 1 active at {@code rpm} requests per minute and {@code micros} credited. */
    static long fundedAccount(long micros, long rpm) {
        long account = MoneyFixture.newAccountId();
        money.openAccount(account, 0);
        money.publishKey(account, 1, rpm, "active");
        if (micros > 0) {
            money.core.credit(account, "seed", micros).await().atMost(WAIT);
        }
        return account;
    }

    static Usage usage() {
        return new Usage(1, "llm-proxy", "local-echo", 3, 2);
    }
}
