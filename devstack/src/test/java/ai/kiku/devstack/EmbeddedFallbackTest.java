package ai.kiku.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The binaries shipped in Maven jars work on their own: what a machine without redis-server or PostgreSQL gets. */
class EmbeddedFallbackTest {

    private static final Path RUN = Infra.moduleTarget().resolve("kiku-infra").resolve(Long.toString(Infra.jvmPid()));
    private static final Path BIN = Infra.moduleTarget().resolve("kiku-infra").resolve("bin");

    @Test
    void embeddedRedisFormsACluster() throws Exception {
        RedisCluster cluster = withEmbedded(() -> RedisCluster.start(RUN.resolve("embedded-redis"), BIN, null, 5000, false));
        try (cluster) {
            assertThat(cluster.binary().getFileName().toString()).startsWith("redis-server-6.2");
            assertThat(cluster.masterPorts()).hasSize(3);
            assertThat(cluster.replicaPorts()).hasSize(3);
            try (Resp r = Resp.connect(cluster.masterPortForKey("kiku:{p05}:k"))) {
                assertThat(RedisCluster.fields(r.text("INFO", "server")).get("redis_version")).startsWith("6.2");
                assertThat(r.call("SET", "kiku:{p05}:k", "v")).isEqualTo("OK");
            }
        }
    }

    @Test
    void embeddedPostgres15RunsEvenAsRoot() throws Exception {
        Postgres pg = withEmbedded(() -> Postgres.start(RUN.resolve("embedded-pg"), BIN, 0, "kiku", "secret", false));
        try (pg) {
            assertThat(pg.binDir().toString()).contains("postgres-15.");
            assertThat(Files.isExecutable(pg.binDir().resolve("postgres"))).isTrue();
            assertThat(pg.query("postgres", "SHOW server_version").get(0).get(0)).startsWith("15.");
            pg.createDatabase("fallback");
            pg.query("fallback", "CREATE TABLE t (id int PRIMARY KEY)");
            pg.stop();
            pg.start();
            assertThat(pg.query("fallback", "SELECT count(*) FROM t")).isEqualTo(List.of(List.of("0")));
        }
        assertThat(pg.isRunning()).isFalse();
        // as root in a checkout nobody cannot reach, this lives in the temp dir, where no stale-run sweep finds it
        Dirs.deleteRecursively(pg.dataDir().getParent());
    }

    private interface Starter<T> {
        T start();
    }

    private static <T> T withEmbedded(Starter<T> starter) {
        synchronized (Infra.LOCK) {
            String before = System.getProperty("kiku.infra.forceEmbedded");
            System.setProperty("kiku.infra.forceEmbedded", "true");
            try {
                return starter.start();
            } finally {
                if (before == null) {
                    System.clearProperty("kiku.infra.forceEmbedded");
                } else {
                    System.setProperty("kiku.infra.forceEmbedded", before);
                }
            }
        }
    }

}
