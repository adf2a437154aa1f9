package ai.kiku.common.money;

import ai.kiku.devstack.RedisStandalone;
import org.junit.jupiter.api.BeforeAll;

/** {@link MoneyCoreTest}'s invariants on one redis-server with a password ({@code kiku.redis.mode=standalone}). */
class MoneyCoreOnStandaloneTest extends MoneyCoreTest {

    @BeforeAll
    static void openFixture() {
        open(RedisStandalone.shared());
    }
}
