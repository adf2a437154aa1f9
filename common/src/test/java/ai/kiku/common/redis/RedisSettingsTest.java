package ai.kiku.common.redis;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the {@code kiku.redis.*} settings become the options of the clients a service builds itself. */
class RedisSettingsTest {

    private static RedisSettings of(Map<String, String> config) {
        return RedisSettings.from(name -> Optional.ofNullable(config.get(name)));
    }

    @Test
    void shouldDefaultToTheClusterWithoutPasswordOrTls() {
        RedisOptions options = of(Map.of("kiku.redis.hosts", "redis://127.0.0.1:7000, redis://127.0.0.1:7001")).toOptions();

        assertThat(options.getType()).isEqualTo(RedisClientType.CLUSTER);
        assertThat(options.getEndpoints()).containsExactly("redis://127.0.0.1:7000", "redis://127.0.0.1:7001");
        assertThat(options.getPassword()).isNull();
        assertThat(options.getNetClientOptions().isSsl()).isFalse();
    }

    @Test
    void shouldAskTheSentinelsForTheNamedMasterWithThePassword() {
        RedisOptions options = of(Map.of("kiku.redis.mode", "sentinel", "kiku.redis.hosts", "redis://127.0.0.1:26379",
                "kiku.redis.master-name", "money", "kiku.redis.password", "s3cret")).toOptions();

        assertThat(options.getType()).isEqualTo(RedisClientType.SENTINEL);
        assertThat(options.getMasterName()).isEqualTo("money");
        assertThat(options.getRole()).isEqualTo(RedisRole.MASTER);
        assertThat(options.getPassword()).isEqualTo("s3cret");
    }

    @Test
    void shouldPreferAPasswordSetAsQuarkusRedisPassword() {
        RedisSettings settings = of(Map.of("kiku.redis.mode", "standalone", "kiku.redis.hosts", "redis://h:6379",
                "kiku.redis.password", "kiku", "quarkus.redis.password", "quarkus"));

        assertThat(settings.password()).contains("quarkus");
    }

    @Test
    void shouldTurnOnTlsWithTheTrustedCertificateAndHostnameCheck() {
        RedisOptions options = of(Map.of("kiku.redis.mode", "standalone", "kiku.redis.hosts", "rediss://redis:6380",
                "kiku.redis.tls", "true", "kiku.redis.tls-trust-pem", "/etc/kiku/redis-ca.pem",
                "kiku.redis.tls-hostname-verification", "HTTPS")).toOptions();

        assertThat(options.getNetClientOptions().isSsl()).isTrue();
        assertThat(options.getNetClientOptions().getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(options.getNetClientOptions().getTrustOptions()).isNotNull();
    }

    @Test
    void shouldRefuseAnUnknownMode() {
        assertThatThrownBy(() -> of(Map.of("kiku.redis.mode", "replication", "kiku.redis.hosts", "redis://h:1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kiku.redis.mode");
        assertThatThrownBy(() -> of(Map.of("kiku.redis.mode", "galaxy", "kiku.redis.hosts", "redis://h:1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("galaxy");
    }
}
