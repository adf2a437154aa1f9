package ai.kiku.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The harness's PostgreSQL is a real server that keeps its data across stop and start. */
class PostgresTest {

    @Test
    void stopAndStartKeepDataAndPort() throws Exception {
        Postgres pg = Postgres.shared();
        pg.createDatabase("stop_start");
        try (Connection c = connect(pg, "stop_start"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id bigint PRIMARY KEY, v text)");
            s.execute("INSERT INTO t VALUES (1, 'kept')");
        }
        int port = pg.port();

        pg.stop();
        try {
            assertThat(pg.isRunning()).isFalse();
            assertThatThrownBy(() -> connect(pg, "stop_start").close()).isInstanceOf(SQLException.class);
        } finally {
            pg.start();
        }

        assertThat(pg.port()).isEqualTo(port);
        try (Connection c = connect(pg, "stop_start"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM t WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("kept");
        }
    }

    @Test
    void passwordIsCheckedAndWireClientWorks() {
        Postgres pg = Postgres.shared();
        assertThat(pg.query("postgres", "SELECT current_user, version()").get(0))
                .first().isEqualTo(pg.username());
        assertThat(pg.query("postgres", "SHOW server_version").get(0).get(0)).startsWith("15");
        assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.username(), "wrong"))
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        assertThat(pg.createDatabaseIfMissing("twice")).isTrue();
        assertThat(pg.createDatabaseIfMissing("twice")).isFalse();
        assertThatThrownBy(() -> pg.createDatabase("Bad-Name")).isInstanceOf(IllegalArgumentException.class);
    }

    private static Connection connect(Postgres pg, String db) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(db), pg.username(), pg.password());
    }
}
