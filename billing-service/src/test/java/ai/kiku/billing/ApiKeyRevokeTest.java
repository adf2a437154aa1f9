package ai.kiku.billing;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Revoking a key is idempotent and keeps the first revocation time, with the time passed as a
 * parameter and the first-time test in WHERE (Citus refuses now() inside COALESCE).
 */
@QuarkusTest
class ApiKeyRevokeTest extends BillingTestBase {

    @Test
    void shouldKeepTheFirstRevocationTimeWhenRevokedAgain() throws InterruptedException {
        long account = createAccount();
        long key = createKey(account, 60);
        admin().delete("/admin/v1/accounts/" + account + "/keys/" + key).then().statusCode(200)
                .body("status", equalTo("revoked"));
        long first = sqlLong("SELECT (extract(epoch FROM revoked_at) * 1000000)::bigint FROM api_keys "
                + "WHERE account_id = $1 AND key_id = $2", account, key);
        assertThat(first).isPositive();
        Thread.sleep(5);
        admin().delete("/admin/v1/accounts/" + account + "/keys/" + key).then().statusCode(200)
                .body("status", equalTo("revoked")).body("keyId", equalTo((int) key));
        assertThat(sqlLong("SELECT (extract(epoch FROM revoked_at) * 1000000)::bigint FROM api_keys "
                + "WHERE account_id = $1 AND key_id = $2", account, key)).isEqualTo(first);
        admin().delete("/admin/v1/accounts/" + account + "/keys/999999999").then().statusCode(404);
    }
}
