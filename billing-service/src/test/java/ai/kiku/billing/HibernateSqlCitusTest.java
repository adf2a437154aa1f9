package ai.kiku.billing;

import ai.kiku.common.contract.InternalApi;
import ai.kiku.common.schema.CitusStatementRules;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * common's CitusReadinessTest reads the SQL written in Java sources; what Hibernate generates from the
 * entities is not there. This captures every statement Hibernate Reactive sends during a representative
 * flow (it logs each one to org.hibernate.SQL at DEBUG) and holds it to the same Citus statement rules.
 */
@QuarkusTest
class HibernateSqlCitusTest extends BillingTestBase {

    @Test
    void everyStatementHibernateSendsInAnAccountsLifeKeepsCitusRules() {
        List<String> sent = captureSql(() -> {
            long account = createAccount();
            long key = createKey(account, 60);
            credit(account, 5_000_000);
            charge(account, key, 10_000, 1_234);
            charge(account, key, 10_000, 1_234);
            awaitDrained(account);
            admin().get("/admin/v1/accounts/" + account).then().statusCode(200);
            admin().get("/admin/v1/accounts/" + account + "/keys").then().statusCode(200);
            admin().get("/admin/v1/accounts/" + account + "/ledger").then().statusCode(200);
            admin().get("/admin/v1/accounts/" + account + "/usage").then().statusCode(200);
            String cursor = asApi().get("/internal/v1/accounts/" + account + "/usage/requests?limit=1&key=" + key
                    + "&model=local-echo&from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z").then().statusCode(200)
                    .extract().jsonPath().getString("nextCursor");
            asApi().get("/internal/v1/accounts/" + account + "/usage/requests?limit=1"
                    + (cursor == null ? "" : "&cursor=" + cursor)).then().statusCode(200);
            admin().body(Map.of("lowBalanceThresholdMicros", 2_000_000, "status", "suspended"))
                    .patch("/admin/v1/accounts/" + account).then().statusCode(200);
            admin().delete("/admin/v1/accounts/" + account + "/keys/" + key).then().statusCode(200);
            asApi().get(InternalApi.CATALOGUE).then().statusCode(200);
            String model = "citus-model-" + account;
            Map<String, Object> price = Map.of("productId", "llm-proxy", "inputPerMillionMicros", 1,
                    "outputPerMillionMicros", 2, "maxOutputTokens", 10);
            admin().body(price).put("/admin/v1/catalogue/models/" + model).then().statusCode(200);
            admin().body(Map.of("productId", "llm-proxy", "inputPerMillionMicros", 3, "outputPerMillionMicros", 4,
                    "maxOutputTokens", 10)).put("/admin/v1/catalogue/models/" + model).then().statusCode(200);
            admin().delete("/admin/v1/catalogue/models/" + model).then().statusCode(200);
            admin().body(Map.of("name", "P", "pricePerRequestMicros", 1)).put("/admin/v1/catalogue/products/p-" + account)
                    .then().statusCode(200);
            admin().delete("/admin/v1/catalogue/products/p-" + account).then().statusCode(200);
            admin().body(Map.of("name", "C", "creditsMicros", 1, "priceLabel", "USD 0.000001"))
                    .put("/admin/v1/catalogue/credit-packs/c-" + account).then().statusCode(200);
            admin().delete("/admin/v1/catalogue/credit-packs/c-" + account).then().statusCode(200);
            admin().get("/admin/v1/catalogue/audit").then().statusCode(200);
            admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200);
        });

        assertThat(sent).as("statements captured")
                .anyMatch(s -> s.toLowerCase().startsWith("insert into accounts"))
                .anyMatch(s -> s.toLowerCase().contains("insert into usage_records"))
                .anyMatch(s -> s.toLowerCase().contains("from usage_records where account_id"))
                .anyMatch(s -> s.toLowerCase().startsWith("update api_keys"))
                .anyMatch(s -> s.toLowerCase().startsWith("update accounts"))
                .anyMatch(s -> s.toLowerCase().startsWith("update model_prices"))
                .anyMatch(s -> s.toLowerCase().startsWith("delete from model_prices"))
                .anyMatch(s -> s.toLowerCase().contains("insert into catalogue_audit"));
        Set<String> citusTables = citusTables();
        List<String> problems = new ArrayList<>();
        for (String sql : sent) {
            CitusStatementRules.violations(sql, citusTables).forEach(p -> problems.add(p + ": " + sql));
        }
        assertThat(problems).isEmpty();
    }

    private List<String> captureSql(Runnable flow) {
        Logger sqlLog = Logger.getLogger("org.hibernate.SQL");
        Level before = sqlLog.getLevel();
        List<String> sent = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                sent.add(record.getMessage().strip());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        sqlLog.addHandler(capture);
        sqlLog.setLevel(Level.FINE);
        try {
            flow.run();
        } finally {
            sqlLog.setLevel(before);
            sqlLog.removeHandler(capture);
        }
        return sent;
    }

    private Set<String> citusTables() {
        Set<String> tables = new HashSet<>();
        pool.query("SELECT table_name FROM kiku_tables WHERE placement <> 'local'").execute().await().indefinitely()
                .forEach(r -> tables.add(r.getString(0)));
        assertThat(tables).contains("accounts", "api_keys", "usage_records");
        return tables;
    }
}
