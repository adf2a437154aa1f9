package ai.kiku.billing.jobs;

import ai.kiku.billing.config.JobsConfig;
import ai.kiku.billing.model.JobView;
import ai.kiku.common.stream.StreamClient;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.redis.KeySchema;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Background jobs on the {@code kiku:jobs} stream (consumer group, so a crashed worker's job is
 * claimed by another), with a status record per job that operators can read.
 */
@ApplicationScoped
public class JobQueue {

    public static final String GROUP = "billing-jobs";
    /** Jobs waiting for their retry time (score = due epoch ms); belongs in KeySchema. */
    public static final String DELAYED = "kiku:jobs:delayed";
    static final long MAX_LEN = 100_000;

    public static final String RECONCILE = "reconcile";
    public static final String REBUILD_ALL = "rebuild_all";

    private final StreamClient streams;
    private final Redis redis;
    private final JobsConfig config;

    public JobQueue(StreamClient streams, Redis redis, JobsConfig config) {
        this.streams = streams;
        this.redis = redis;
        this.config = config;
    }

    public static String statusKey(String jobId) {
        return "kiku:jobs:status:" + jobId;
    }

    /** Queues a job; {@code args} travel as stream fields prefixed {@code arg.}. */
    public Uni<JobView> enqueue(String type, Map<String, String> args) {
        String id = type + ":" + UUID.randomUUID();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("job", id);
        fields.put("type", type);
        fields.put("attempts", "0");
        args.forEach((k, v) -> fields.put("arg." + k, v));
        return status(id, type, "queued", 0, null, null)
                .flatMap(x -> streams.add(KeySchema.JOBS_STREAM, fields, MAX_LEN))
                .replaceWith(new JobView(id, type, "queued", 0, null, null));
    }

    public Uni<JobView> get(String jobId) {
        return redis.send(Request.cmd(Command.HGETALL).arg(statusKey(jobId))).map(r -> {
            Map<String, String> f = map(r);
            if (f.isEmpty()) {
                throw ProblemException.notFound("job " + jobId);
            }
            return new JobView(jobId, f.get("type"), f.get("state"), Integer.parseInt(f.getOrDefault("attempts", "0")),
                    emptyToNull(f.get("result")), emptyToNull(f.get("error")));
        });
    }

    Uni<Void> status(String jobId, String type, String state, int attempts, String result, String error) {
        String key = statusKey(jobId);
        return redis.send(Request.cmd(Command.HSET).arg(key).arg("type").arg(type).arg("state").arg(state)
                        .arg("attempts").arg(attempts).arg("result").arg(result == null ? "" : result)
                        .arg("error").arg(error == null ? "" : error))
                .flatMap(r -> redis.send(Request.cmd(Command.PEXPIRE).arg(key).arg(config.statusRetention().toMillis())))
                .replaceWithVoid();
    }

    private static Map<String, String> map(Response r) {
        Map<String, String> out = new HashMap<>();
        if (r == null) {
            return out;
        }
        if (r.getDelegate().isMap()) {
            r.getKeys().forEach(k -> out.put(k, r.get(k).toString()));
        } else {
            for (int i = 0; i + 1 < r.size(); i += 2) {
                out.put(r.get(i).toString(), r.get(i + 1).toString());
            }
        }
        return out;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
