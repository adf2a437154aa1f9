package ai.kiku.common.error;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Reads exactly one JSON document per body and each field once. Jackson would otherwise ignore
 * what follows the first value ({@code {...} x} was metered and charged) and let the last of a
 * repeated field win, so two readers of the same body could disagree about what it says. Both now
 * fail like any malformed JSON: a 400 problem, naming the field for a duplicate ({@link JsonProblems}).
 */
@Singleton
public class StrictJsonSyntax implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }
}
