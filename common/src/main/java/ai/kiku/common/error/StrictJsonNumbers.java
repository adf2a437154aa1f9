package ai.kiku.common.error;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Refuses a fractional number where a whole one is expected: Jackson would otherwise truncate
 * {@code "amountMicros": 1.5} to 1 and {@code 2e6} would pass as an integer, silently changing an
 * amount of money. The request then fails like any other wrong type: 400 naming the field.
 */
@Singleton
public class StrictJsonNumbers implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }
}
