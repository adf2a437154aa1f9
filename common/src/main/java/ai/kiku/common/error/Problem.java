package ai.kiku.common.error;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashMap;
import java.util.Map;

/** An RFC 9457 problem details body ({@code application/problem+json}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";
    /** Retry-After of every 503 problem: the backing service is expected back soon, the client retries. */
    public static final String RETRY_AFTER_SECONDS = "1";

    private final String type;
    private final String title;
    private final int status;
    private final String detail;
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    public Problem(String type, String title, int status, String detail) {
        this.type = type;
        this.title = title;
        this.status = status;
        this.detail = detail;
    }

    /** Adds an extension member, e.g. the offending {@code field} or {@code requiredMicros}. */
    public Problem with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    public String getType() {
        return type;
    }

    public String getTitle() {
        return title;
    }

    public int getStatus() {
        return status;
    }

    public String getDetail() {
        return detail;
    }

    @JsonAnyGetter
    public Map<String, Object> getExtensions() {
        return extensions;
    }
}
