package ai.kiku.billing;

import ai.kiku.billing.service.LedgerService;
import io.quarkus.test.junit.QuarkusTest;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request's trace id (from the caller's traceparent, as api and webhook send it) is in the log
 * lines the request writes, so one call can be followed from the gateway into billing's logs.
 */
@QuarkusTest
class TraceInLogsTest extends BillingTestBase {

    @Test
    void shouldLogTheCallersTraceIdWithTheAuditLineOfAnAdjustment() {
        long account = createAccount();
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                ((ExtLogRecord) record).copyMdc(); // the MDC of the thread that logged, read later by the test
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(LedgerService.class.getName());
        logger.addHandler(capture);
        try {
            admin().header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
                    .body(Map.of("amountMicros", 5_000_000, "reason", "goodwill", "idempotencyKey", "trace-" + account))
                    .post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(200);
        } finally {
            logger.removeHandler(capture);
        }
        assertThat(records).filteredOn(r -> r.getMessage() != null && String.valueOf(r.getMessage()).contains("admin adjustment"))
                .singleElement()
                .satisfies(r -> {
                    ExtLogRecord ext = (ExtLogRecord) r;
                    assertThat(ext.getFormattedMessage()).contains("account " + account, "5000000 micros", "goodwill");
                    assertThat(ext.getMdc("traceId")).isEqualTo(traceId);
                });
    }
}
