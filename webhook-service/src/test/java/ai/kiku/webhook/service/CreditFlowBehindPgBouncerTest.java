package ai.kiku.webhook.service;

import ai.kiku.webhook.support.BehindPgBouncer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link CreditFlowTest} again, through Debian's PgBouncer in transaction mode. */
@QuarkusTest
@TestProfile(BehindPgBouncer.class)
@EnabledIf(value = "ai.kiku.devstack.PgBouncer#available",
        disabledReason = "Debian's pgbouncer is not installed and apt-get download pgbouncer failed")
class CreditFlowBehindPgBouncerTest extends CreditFlowTest {

    /** Hibernate Reactive runs on the reactive client, so the flag must switch that client's named statements off. */
    @Test
    void shouldRunTheReactiveClientWithoutNamedStatements() {
        Config config = ConfigProvider.getConfig();
        assertThat(config.getValue("quarkus.datasource.reactive.cache-prepared-statements", Boolean.class)).isFalse();
        assertThat(config.getValue("quarkus.datasource.reactive.postgresql.use-layer7-proxy", Boolean.class)).isTrue();
    }
}
