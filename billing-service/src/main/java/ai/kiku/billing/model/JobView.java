package ai.kiku.billing.model;

/** State of a background job as recorded by the worker. */
public record JobView(String jobId, String type, String state, int attempts, String result, String error) {
}
