package ai.kiku.billing.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import java.util.HashMap;
import java.util.Map;

/** What each job type does: every {@link JobHandler} bean, by its type. */
@ApplicationScoped
public class JobHandlers {

    private final Map<String, JobHandler> byType = new HashMap<>();

    public JobHandlers(@Any Instance<JobHandler> handlers) {
        handlers.forEach(h -> byType.put(h.type(), h));
    }

    public String run(String type, Map<String, String> args, JobLease lease) throws Exception {
        JobHandler handler = byType.get(type);
        if (handler == null) {
            throw new IllegalArgumentException("unknown job type '" + type + "'");
        }
        return handler.run(args, lease);
    }
}
