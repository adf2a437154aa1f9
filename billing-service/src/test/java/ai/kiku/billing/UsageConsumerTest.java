package ai.kiku.billing;

import ai.kiku.billing.config.UsageConfig;
import ai.kiku.billing.repository.UsageRepository;
import ai.kiku.common.stream.StreamClient;
import ai.kiku.common.stream.StreamEntry;
import ai.kiku.billing.usage.UsageConsumer;
import ai.kiku.common.money.UsageLogEntry;
import ai.kiku.common.redis.KeySchema;
import ai.kiku.devstack.Postgres;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class UsageConsumerTest extends BillingTestBase {

    @Inject
    StreamClient streams;
    @Inject
    UsageRepository usage;
    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;
    @Inject
    UsageConfig usageConfig;

    @Test
    void shouldRecordEveryChargeExactlyOnceAfterAConsumerDiedMidBatch() {
        long account = createAccount();
        long key = createKey(account, 10_000);
        credit(account, 10_000_000);
        String stream = KeySchema.usageLog(account);
        consumer.stop();
        List<String> requests = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                requests.add(charge(account, key, 5000, 1000 + i));
            }
            // A consumer that read the batch, committed part of it to PostgreSQL, and died before acknowledging.
            List<StreamEntry> taken = streams.read(stream, UsageConsumer.GROUP, "crashed-consumer", 1000, ">")
                    .await().indefinitely();
            List<UsageLogEntry> mine = taken.stream().map(e -> UsageLogEntry.of(e.id(), e.fields()))
                    .filter(e -> e.accountId() == account).toList();
            assertThat(mine).hasSize(30);
            usage.writeBatch(mine.subList(0, 12)).await().indefinitely();
            assertThat(sqlLong("SELECT count(*) FROM usage_records WHERE account_id = $1", account)).isEqualTo(12);
        } finally {
            consumer.start();
        }
        awaitDrained(account);
        eventually("pending entries of " + stream + " claimed and acknowledged", Duration.ofSeconds(30),
                () -> redis("XPENDING", stream, UsageConsumer.GROUP).get(0).toLong() == 0);

        long expectedCost = 30 * 1000 + (29 * 30 / 2);
        assertThat(sqlLong("SELECT count(*) FROM usage_records WHERE account_id = $1", account)).isEqualTo(30);
        assertThat(sqlLong("SELECT count(DISTINCT request_id) FROM usage_records WHERE account_id = $1 "
                + "AND request_id = ANY($2)", account, requests.toArray(String[]::new))).isEqualTo(30);
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE account_id = $1 AND kind = 'usage'", account))
                .isEqualTo(30);
        assertThat(sqlLong("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1 AND kind = 'usage'",
                account)).isEqualTo(-expectedCost);
        assertThat(sqlLong("SELECT sum(requests) FROM usage_hourly WHERE account_id = $1", account)).isEqualTo(30);
        assertThat(sqlLong("SELECT sum(cost_micros) FROM usage_hourly WHERE account_id = $1", account))
                .isEqualTo(expectedCost);
        assertThat(sqlLong("SELECT sum(input_tokens) FROM usage_hourly WHERE account_id = $1", account)).isEqualTo(300);
        assertThat(redisBalance(account)).isEqualTo(10_000_000 - expectedCost);
        assertThat(sqlLong("SELECT count(*) FROM api_keys WHERE account_id = $1 AND last_used_at IS NOT NULL",
                account)).isEqualTo(1);
        admin().get("/admin/v1/accounts/" + account + "/usage?groupBy=model").then().statusCode(200)
                .body("totals.requests", equalTo(30)).body("totals.costMicros", equalTo((int) expectedCost))
                .body("breakdown[0].group", equalTo("local-echo"));
    }

    @Test
    void shouldKeepUsageInRedisWhilePostgresIsDownAndDrainItAfterwards() {
        long account = createAccount();
        long key = createKey(account, 10_000);
        credit(account, 5_000_000);
        String stream = KeySchema.usageLog(account);
        double failuresBefore = failures();
        Postgres.shared().stop();
        try {
            for (int i = 0; i < 40; i++) {
                charge(account, key, 2000, 1500);
            }
            eventually("consumer failing against the stopped database", Duration.ofSeconds(30),
                    () -> failures() > failuresBefore);
            // Nothing was acknowledged: every charge still waits in the stream.
            assertThat(streamEntriesOf(stream, account)).isEqualTo(40);
            eventually("backlog gauge shows the waiting usage", Duration.ofSeconds(30), () -> consumer.backlog() >= 40);
        } finally {
            Postgres.shared().start();
        }
        awaitDrained(account);
        assertThat(sqlLong("SELECT count(*) FROM usage_records WHERE account_id = $1", account)).isEqualTo(40);
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE account_id = $1 AND kind = 'usage'", account))
                .isEqualTo(40);
        assertThat(sqlLong("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1", account))
                .isEqualTo(5_000_000 - 40 * 1500);
        assertThat(sqlLong("SELECT sum(requests) FROM usage_hourly WHERE account_id = $1", account)).isEqualTo(40);
        assertThat(redisBalance(account)).isEqualTo(5_000_000 - 40 * 1500);
        eventually("backlog gauge back to zero", Duration.ofSeconds(30), () -> consumer.backlog() == 0);
    }

    @Test
    void shouldDrainABacklogOfManyBatchesInOnePartitionAndStillServeTheOthers() {
        long busy = createAccount();
        long other = createAccount();
        while (KeySchema.partitionOf(other) == KeySchema.partitionOf(busy)) {
            other = createAccount();
        }
        long quiet = other;
        long busyKey = createKey(busy, 100_000);
        long quietKey = createKey(quiet, 100_000);
        credit(busy, 100_000_000);
        credit(quiet, 10_000_000);
        String busyStream = KeySchema.usageLog(busy);
        int backlog = 60 * usageConfig.batchSize() + 7;
        consumer.stop();
        try {
            for (int i = 0; i < backlog; i++) {
                charge(busy, busyKey, 2000, 100);
            }
        } finally {
            consumer.start();
        }
        // Once the consumer is draining the busy partition (rounds that read only it), usage lands
        // in another partition: it must be read within quiet-partition-backoff (that partition has
        // come back empty before), not after the whole backlog.
        eventually("busy partition draining", Duration.ofSeconds(30),
                () -> redis("XLEN", busyStream).toLong() < backlog);
        for (int i = 0; i < 3; i++) {
            charge(quiet, quietKey, 2000, 300);
        }
        eventually("quiet partition drained", Duration.ofSeconds(30),
                () -> sqlLong("SELECT count(*) FROM usage_records WHERE account_id = $1", quiet) == 3);
        assertThat(redis("XLEN", busyStream).toLong()).as("busy backlog left when the quiet partition was served")
                .isGreaterThan(0);

        awaitDrained(busy);
        awaitDrained(quiet);
        assertThat(sqlLong("SELECT count(*) FROM usage_records WHERE account_id = $1", busy)).isEqualTo(backlog);
        assertThat(sqlLong("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1 AND kind = 'usage'",
                busy)).isEqualTo(-backlog * 100L);
        assertThat(sqlLong("SELECT count(*) FROM usage_records WHERE account_id = $1", quiet)).isEqualTo(3);
        assertThat(sqlLong("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1 AND kind = 'usage'",
                quiet)).isEqualTo(-3 * 300);
    }

    private long streamEntriesOf(String stream, long account) {
        long n = 0;
        for (var entry : redis("XRANGE", stream, "-", "+")) {
            var f = entry.get(1);
            for (int i = 0; i + 1 < f.size(); i += 2) {
                if ("acct".equals(f.get(i).toString()) && Long.toString(account).equals(f.get(i + 1).toString())) {
                    n++;
                }
            }
        }
        return n;
    }

    private double failures() {
        var counter = registry.find("kiku.usage.consumer.failures").counter();
        return counter == null ? 0 : counter.count();
    }
}
