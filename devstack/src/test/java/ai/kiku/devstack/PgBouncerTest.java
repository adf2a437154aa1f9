package ai.kiku.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/** Debian's PgBouncer in transaction mode passes queries through, and breaks what needs a session (named statements). */
@EnabledIf(value = "ai.kiku.devstack.PgBouncer#available",
        disabledReason = "Debian's pgbouncer is not installed and apt-get download pgbouncer failed")
class PgBouncerTest {

    @Test
    void shouldPassQueriesThroughInTransactionMode() {
        Postgres pg = Postgres.shared();
        pg.createDatabaseIfMissing("bouncer_pass");
        PgBouncer bouncer = PgBouncer.shared();

        try (PgWire wire = PgWire.connect(bouncer.host(), bouncer.port(), pg.username(), pg.password(), "bouncer_pass")) {
            assertThat(wire.query("SELECT current_database(), current_user").get(0)).containsExactly("bouncer_pass", "kiku");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        List<List<String>> config = bouncer.admin("SHOW CONFIG", pg.username(), pg.password());
        assertThat(config).anySatisfy(row -> assertThat(row.subList(0, 2)).containsExactly("pool_mode", "transaction"));
    }

    @Test
    void shouldLoseTheDriversNamedStatementsButKeepUnnamedOnes() throws SQLException {
        Postgres pg = Postgres.shared();
        pg.createDatabaseIfMissing("bouncer_named");
        PgBouncer bouncer = PgBouncer.shared();
        bouncer.openServerConnections(pg, "bouncer_named", 4);

        // pgjdbc's default (prepareThreshold 5): from the fifth run on, a named statement S_n prepared on one server
        // connection is executed on whichever one the next transaction gets (in autocommit the driver retries after
        // the error, in a transaction it cannot)
        assertThatThrownBy(() -> runTwentyTimes(bouncer.jdbcUrl("bouncer_named"), pg, new Properties()))
                .isInstanceOf(SQLException.class)
                .hasMessageMatching("(?s).*prepared statement \"S_\\d+\" (does not exist|already exists).*");

        Properties unnamed = new Properties();
        unnamed.setProperty("prepareThreshold", "0");
        assertThat(runTwentyTimes(bouncer.jdbcUrl("bouncer_named"), pg, unnamed)).isEqualTo(20);
    }

    @Test
    void shouldFetchAndUnpackDebiansPackageWithoutRootWhenPgBouncerIsNotInstalled(@TempDir Path cache) throws Exception {
        Assumptions.assumeTrue(Binaries.onPath("apt-get").isPresent() && Binaries.onPath("dpkg-deb").isPresent(),
                "not a Debian-like machine: no apt-get/dpkg-deb");

        Optional<Path> fetched = PgBouncer.binary(cache, false);

        Assumptions.assumeTrue(fetched.isPresent(), () -> "apt-get download pgbouncer failed (no package lists or "
                + "mirror?):\n" + Processes.tail(cache.resolve("pgbouncer-fetch.log"), 20));
        assertThat(fetched.get()).isEqualTo(cache.resolve("pgbouncer-deb/usr/sbin/pgbouncer"));
        assertThat(PgBouncer.runs(fetched.get(), cache.resolve("version.log"))).isTrue();
        assertThat(Files.readString(cache.resolve("version.log"))).startsWith("PgBouncer 1.");
    }

    /** Twenty transactions on one connection, each running the same prepared statement once. */
    private static int runTwentyTimes(String url, Postgres pg, Properties extra) throws SQLException {
        Properties props = new Properties();
        props.putAll(extra);
        props.setProperty("user", pg.username());
        props.setProperty("password", pg.password());
        int ok = 0;
        try (Connection c = DriverManager.getConnection(url, props);
             PreparedStatement ps = c.prepareStatement("SELECT ?::int + 1")) {
            c.setAutoCommit(false);
            for (int i = 0; i < 20; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(i + 1);
                    ok++;
                }
                c.commit();
            }
        }
        return ok;
    }
}
