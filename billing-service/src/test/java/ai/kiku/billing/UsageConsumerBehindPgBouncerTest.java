package ai.kiku.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.condition.EnabledIf;

/** {@link UsageConsumerTest} again, through Debian's PgBouncer in transaction mode. */
@QuarkusTest
@TestProfile(BehindPgBouncer.class)
@EnabledIf(value = "ai.kiku.devstack.PgBouncer#available",
        disabledReason = "Debian's pgbouncer is not installed and apt-get download pgbouncer failed")
class UsageConsumerBehindPgBouncerTest extends UsageConsumerTest {
}
