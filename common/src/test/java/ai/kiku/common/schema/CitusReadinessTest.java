package ai.kiku.common.schema;

import ai.kiku.testing.Postgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the real migrations on plain PostgreSQL and checks that Citus could shard the result. */
class CitusReadinessTest {

    private static String url;

    @BeforeAll
    static void migrate() {
        Postgres pg = Postgres.shared();
        String db = "citus_check_" + System.nanoTime();
        pg.createDatabase(db);
        url = pg.jdbcUrl(db);
        Flyway.configure().dataSource(url, pg.username(), pg.password()).locations("classpath:db/migration")
                .load().migrate();
    }

    private static Connection connect() throws SQLException {
        Postgres pg = Postgres.shared();
        return DriverManager.getConnection(url, pg.username(), pg.password());
    }

    @Test
    void shouldKeepEveryTableShardableOnAccountId() throws SQLException {
        try (Connection db = connect()) {
            assertThat(CitusRules.violations(db)).isEmpty();
        }
    }

    @Test
    void shouldReportATableThatBreaksTheRules() throws SQLException {
        try (Connection db = connect()) {
            db.setAutoCommit(false);
            try (Statement st = db.createStatement()) {
                st.execute("CREATE TABLE bad_unique (account_id bigint, id bigint PRIMARY KEY, ref text UNIQUE)");
                st.execute("CREATE TABLE unlisted (id bigint PRIMARY KEY)");
                st.execute("CREATE TABLE bad_fk (account_id bigint, id bigint, owner bigint REFERENCES accounts,"
                        + " PRIMARY KEY (account_id, id))");
                st.execute("INSERT INTO kiku_tables VALUES ('bad_unique', 'distributed', 'test'),"
                        + " ('bad_fk', 'distributed', 'test')");
                assertThat(CitusRules.violations(db))
                        .anySatisfy(p -> assertThat(p).startsWith("bad_unique.bad_unique_pkey"))
                        .anySatisfy(p -> assertThat(p).startsWith("bad_unique.bad_unique_ref_key"))
                        .anySatisfy(p -> assertThat(p).startsWith("unlisted: not listed"))
                        .anySatisfy(p -> assertThat(p).startsWith("bad_fk.bad_fk_owner_fkey"))
                        .hasSize(4);
            } finally {
                db.rollback();
            }
        }
    }

    @Test
    void shouldSeedTheAdvertisedPricePerRequest() throws SQLException {
        try (Connection db = connect(); Statement st = db.createStatement();
             var rs = st.executeQuery("SELECT price_per_request_micros FROM products WHERE product_id = 'llm-proxy'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(1_000);
        }
    }
}
