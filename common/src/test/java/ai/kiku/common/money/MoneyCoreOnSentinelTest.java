package ai.kiku.common.money;

import ai.kiku.devstack.RedisSentinels;
import org.junit.jupiter.api.BeforeAll;

/** {@link MoneyCoreTest}'s invariants on a Sentinel primary with a password ({@code kiku.redis.mode=sentinel}). */
class MoneyCoreOnSentinelTest extends MoneyCoreTest {

    @BeforeAll
    static void openFixture() {
        open(RedisSentinels.shared());
    }
}
