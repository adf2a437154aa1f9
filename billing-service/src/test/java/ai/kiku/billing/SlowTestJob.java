package ai.kiku.billing;

import ai.kiku.billing.jobs.JobHandler;
import ai.kiku.billing.jobs.JobLease;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A test-only job that runs for {@code ms} milliseconds and records how many copies ran at once. */
@ApplicationScoped
public class SlowTestJob implements JobHandler {

    static final String TYPE = "test_slow";
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MAX_RUNNING = new AtomicInteger();
    static final AtomicInteger STARTS = new AtomicInteger();

    static void reset() {
        RUNNING.set(0);
        MAX_RUNNING.set(0);
        STARTS.set(0);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String run(Map<String, String> args, JobLease lease) throws InterruptedException {
        STARTS.incrementAndGet();
        MAX_RUNNING.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
        try {
            Thread.sleep(Long.parseLong(args.get("ms")));
        } finally {
            RUNNING.decrementAndGet();
        }
        return "slept";
    }
}
