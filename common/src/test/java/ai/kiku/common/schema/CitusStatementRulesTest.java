package ai.kiku.common.schema;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The statement checker catches what Citus 13 refused in this project, and lets through what it accepts. */
class CitusStatementRulesTest {

    private static final Set<String> CITUS = Set.of("api_keys", "accounts", "usage_records", "usage_hourly", "products");

    @Test
    void shouldRefuseAStableFunctionOverAColumnInUpdateSet() {
        assertThat(CitusStatementRules.violations("UPDATE api_keys k SET last_used_at = timestamptz 'epoch' + u.t * "
                + "interval '1 millisecond' FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u(a, kid, t) "
                + "WHERE k.account_id = u.a AND k.key_id = u.kid", CITUS))
                .singleElement().asString().contains("UPDATE SET");
    }

    @Test
    void shouldRefuseTheClockInCoalesceAndInUpdates() {
        assertThat(CitusStatementRules.violations("UPDATE api_keys SET status = 'revoked', revoked_at = "
                + "coalesce(revoked_at, now()) WHERE account_id = $1 AND key_id = $2", CITUS))
                .anySatisfy(p -> assertThat(p).contains("server clock"))
                .anySatisfy(p -> assertThat(p).contains("COALESCE"));
        assertThat(CitusStatementRules.violations("UPDATE accounts SET updated_at = now() WHERE account_id = $1", CITUS))
                .singleElement().asString().contains("server clock (now(");
        assertThat(CitusStatementRules.violations("SELECT count(*) FROM usage_records WHERE occurred_at > "
                + "current_timestamp - $1 * interval '1 second'", CITUS)).singleElement().asString()
                .contains("current_timestamp");
        assertThat(CitusStatementRules.violations("SELECT a FROM accounts WHERE CASE WHEN status = 'x' "
                + "THEN date_trunc('hour', created_at) END IS NULL", CITUS)).singleElement().asString().contains("CASE");
        assertThat(CitusStatementRules.violations("INSERT INTO accounts (account_id) VALUES ($1) RETURNING "
                + "account_id, to_char(created_at, 'YYYY')", CITUS)).singleElement().asString().contains("RETURNING");
    }

    @Test
    void shouldAcceptTimesPassedAsParametersAndLocalTables() {
        assertThat(CitusStatementRules.violations("UPDATE api_keys k SET last_used_at = u.t FROM unnest($1::bigint[], "
                + "$2::bigint[], $3::timestamptz[]) AS u(a, kid, t) WHERE k.account_id = u.a AND k.key_id = u.kid "
                + "AND (k.last_used_at IS NULL OR k.last_used_at < u.t)", CITUS)).isEmpty();
        assertThat(CitusStatementRules.violations("UPDATE api_keys SET status = 'revoked', revoked_at = $3 "
                + "WHERE account_id = $1 AND key_id = $2 AND revoked_at IS NULL", CITUS)).isEmpty();
        assertThat(CitusStatementRules.violations("UPDATE accounts SET updated_at = timestamptz 'epoch' + $2 * "
                + "interval '1 millisecond' WHERE account_id = $1", CITUS)).isEmpty();
        assertThat(CitusStatementRules.violations("INSERT INTO usage_hourly (cost_micros) VALUES ($1) ON CONFLICT "
                + "(account_id) DO UPDATE SET cost_micros = usage_hourly.cost_micros + EXCLUDED.cost_micros", CITUS))
                .isEmpty();
        assertThat(CitusStatementRules.violations("SELECT coalesce(sum(amount_micros), 0)::bigint FROM usage_records "
                + "WHERE account_id = $1", CITUS)).isEmpty();
        assertThat(CitusStatementRules.violations("UPDATE paddle_events SET next_attempt_at = now() WHERE event_id = $1",
                CITUS)).as("a coordinator-local table may read the clock").isEmpty();
    }

    /** Found on Citus 13.2: "cannot execute ADD COLUMN command with PRIMARY KEY, UNIQUE, FOREIGN and CHECK constraints". */
    @Test
    void shouldRefuseAddColumnWithAnInlineConstraintOnACitusTable() {
        assertThat(CitusStatementRules.ddlViolations("ALTER TABLE usage_records ADD COLUMN overage_micros bigint "
                + "NOT NULL DEFAULT 0 CHECK (overage_micros >= 0)", Set.of("usage_records"))).hasSize(1);
        assertThat(CitusStatementRules.ddlViolations("ALTER TABLE usage_records ADD COLUMN overage_micros bigint "
                + "NOT NULL DEFAULT 0", Set.of("usage_records"))).isEmpty();
        assertThat(CitusStatementRules.ddlViolations("ALTER TABLE usage_records ADD CONSTRAINT usage_records_x_check "
                + "CHECK (overage_micros >= 0)", Set.of("usage_records"))).isEmpty();
        assertThat(CitusStatementRules.ddlViolations("ALTER TABLE paddle_events ADD COLUMN a bigint UNIQUE, "
                + "ADD COLUMN b jsonb", Set.of("usage_records"))).as("a coordinator-local table").isEmpty();
    }

    @Test
    void shouldBuildStatementsFromConstantsLocalsAndFormattedTemplates() {
        String rows = """
                final class Rows {
                    static final String EPOCH_MS = "timestamptz 'epoch' + %s * interval '1 millisecond'";
                }
                """;
        String repo = """
                class Repo {
                    private static final String COLUMNS = "key_id, status";
                    void touch() {
                        String ts = Rows.EPOCH_MS.formatted("u.t");
                        String sql = "UPDATE api_keys k SET last_used_at = " + ts + " FROM unnest($1::bigint[]) AS u(t) "
                                + "WHERE k.key_id = 1 RETURNING " + COLUMNS.replace("a.", "");
                        pool.preparedQuery(\"""
                            SELECT key_id
                            FROM api_keys WHERE account_id = $1\""").execute(args);
                        log("not sql: " + sql);
                    }
                }
                """;
        List<JavaSqlStrings.Sql> found = JavaSqlStrings.scanText(Map.of("Rows.java", rows, "Repo.java", repo));
        assertThat(found).extracting(JavaSqlStrings.Sql::text)
                .contains("UPDATE api_keys k SET last_used_at = timestamptz 'epoch' + u.t * interval '1 millisecond'"
                        + " FROM unnest($1::bigint[]) AS u(t) WHERE k.key_id = 1 RETURNING key_id, status",
                        "SELECT key_id\nFROM api_keys WHERE account_id = $1")
                .hasSize(2);
    }

    @Test
    void shouldOpenFunctionBodiesOfMigrations() {
        String script = """
                CREATE FUNCTION touch() RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    n int;
                BEGIN
                    UPDATE accounts SET updated_at = now() WHERE account_id = 1;
                    PERFORM 1;
                END $$;
                INSERT INTO products (product_id) VALUES ('a; b');
                """;
        List<JavaSqlStrings.Sql> found = SqlScripts.statements("V9__x.sql", script);
        assertThat(found).extracting(JavaSqlStrings.Sql::text)
                .contains("UPDATE accounts SET updated_at = now() WHERE account_id = 1",
                        "INSERT INTO products (product_id) VALUES ('a; b')");
        assertThat(found).flatExtracting(s -> CitusStatementRules.violations(s.text(), CITUS)).hasSize(1);
    }
}
