package ai.kiku.common.schema;

import ai.kiku.devstack.Postgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /** Citus turns a table referenced by a reference table placed before it into a coordinator-local table. */
    @Test
    void shouldPlaceEveryTableAfterTheTablesItReferences() throws SQLException {
        List<String> order = new ArrayList<>();
        try (Connection db = connect(); Statement st = db.createStatement();
             var rs = st.executeQuery("SELECT table_name FROM kiku_placement_order()")) {
            while (rs.next()) {
                order.add(rs.getString(1));
            }
        }
        assertThat(order).containsSubsequence("products", "model_prices").containsSubsequence("accounts", "api_keys")
                .doesNotContain("paddle_events", "kiku_tables");
        try (Connection db = connect(); Statement st = db.createStatement();
             var rs = st.executeQuery("SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
                     + "WHERE contype = 'f' AND connamespace = 'public'::regnamespace")) {
            while (rs.next()) {
                assertThat(order.indexOf(rs.getString(2))).as("%s placed before %s, which it references",
                        rs.getString(1), rs.getString(2)).isLessThan(order.indexOf(rs.getString(1)));
            }
        }
    }

    @Test
    void shouldRefuseToUpdateDeleteOrTruncateLedgerEntries() throws SQLException {
        try (Connection db = connect(); Statement st = db.createStatement()) {
            st.execute("INSERT INTO accounts (account_id) VALUES (4242) ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO ledger_entries (account_id, kind, amount_micros, external_ref) "
                    + "VALUES (4242, 'payment', 5000000, 'append-only-" + System.nanoTime() + "')");
            for (String change : List.of("UPDATE ledger_entries SET amount_micros = 1 WHERE account_id = 4242",
                    "DELETE FROM ledger_entries WHERE account_id = 4242", "TRUNCATE ledger_entries",
                    "TRUNCATE accounts CASCADE")) {
                assertThatThrownBy(() -> st.execute(change)).as(change).isInstanceOf(SQLException.class)
                        .hasMessageContaining("append-only")
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
            }
            try (var rs = st.executeQuery("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = 4242")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isPositive().isEqualTo(5_000_000L * countRows(db));
            }
        }
    }

    private static long countRows(Connection db) throws SQLException {
        try (Statement st = db.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM ledger_entries WHERE account_id = 4242")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Every statement the services send (string literals and text blocks of every module's
     * src/main) and every statement the migrations run, functions included, follows the rules Citus
     * enforces on the tables it manages.
     */
    @Test
    void shouldSendNoStatementThatCitusRefuses() throws Exception {
        Set<String> citusTables = new HashSet<>();
        try (Connection db = connect(); Statement st = db.createStatement();
             var rs = st.executeQuery("SELECT table_name FROM kiku_tables WHERE placement <> 'local'")) {
            while (rs.next()) {
                citusTables.add(rs.getString(1));
            }
        }
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> sources = new ArrayList<>();
        try (var modules = Files.list(root)) {
            modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).forEach(sources::add);
        }
        assertThat(sources).as("source roots under %s", root).contains(root.resolve("billing-service/src/main/java"));
        List<JavaSqlStrings.Sql> statements = new ArrayList<>(JavaSqlStrings.scan(sources));
        assertThat(statements).as("statements found in the code").hasSizeGreaterThan(20);
        Path migrations = root.resolve("common/src/main/resources/db/migration");
        statements.addAll(SqlScripts.scan(migrations));
        List<String> problems = new ArrayList<>();
        for (JavaSqlStrings.Sql ddl : SqlScripts.topLevel(migrations)) {
            CitusStatementRules.ddlViolations(ddl.text(), citusTables).forEach(p -> problems.add(ddl.where() + ": " + p));
        }
        for (JavaSqlStrings.Sql sql : statements) {
            CitusStatementRules.violations(sql.text(), citusTables)
                    .forEach(p -> problems.add(sql.where() + ": " + p + "\n    in: " + sql.text().strip()));
        }
        assertThat(problems).isEmpty();
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
