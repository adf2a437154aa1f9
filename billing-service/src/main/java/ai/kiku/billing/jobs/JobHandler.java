package ai.kiku.billing.jobs;

import java.util.Map;

/** One type of background job; every CDI bean implementing it is runnable through the queue. */
public interface JobHandler {

    /** The {@code type} field of the job's stream entry. */
    String type();

    /**
     * Runs the job; the result is kept in the job's status record. A long job asks {@code lease}
     * between steps and stops (throws {@link java.util.concurrent.CancellationException}) once it is
     * lost: another worker owns the job then.
     */
    String run(Map<String, String> args, JobLease lease) throws Exception;
}
