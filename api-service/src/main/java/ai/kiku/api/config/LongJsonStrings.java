package ai.kiku.api.config;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Lets one JSON string be as long as the largest body a route accepts: a base64 image may fill a chat body
 * (20 MiB), past Jackson's default of 20 million characters, which would refuse it as invalid JSON. The
 * body limit already bounds every string.
 */
@Singleton
public class LongJsonStrings implements ObjectMapperCustomizer {

    private final ApiConfig config;

    public LongJsonStrings(ApiConfig config) {
        this.config = config;
    }

    @Override
    public void customize(ObjectMapper mapper) {
        int longest = Math.max(config.maxBodyBytes(), config.bodyLimits().chat());
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Math.max(longest, StreamReadConstraints.DEFAULT_MAX_STRING_LEN)).build());
    }
}
