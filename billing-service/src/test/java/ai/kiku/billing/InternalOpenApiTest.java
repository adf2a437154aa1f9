package ai.kiku.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The internal API's OpenAPI (the {@code /internal} paths and the schemas they use), as billing generates it,
 * must equal the committed {@value #COMMITTED}: a change to the contract's records, paths or answers shows up
 * in review as a change of that file. After a deliberate change run this test with
 * {@code -Dkiku.openapi.update=true} and commit the file it writes.
 */
@QuarkusTest
class InternalOpenApiTest extends BillingTestBase {

    static final String COMMITTED = "src/openapi/internal-v1.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Test
    void shouldMatchTheCommittedInternalOpenApi() throws IOException {
        String generated = internalOnly(JSON.readTree(given().get("/q/openapi?format=json").then().statusCode(200)
                .extract().asString()));
        Path committed = Path.of(COMMITTED);
        if (Boolean.getBoolean("kiku.openapi.update") || !Files.exists(committed)) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, generated, StandardCharsets.UTF_8);
        }
        assertThat(generated).as("billing's internal OpenAPI changed: if meant, rerun with -Dkiku.openapi.update=true"
                + " and commit billing-service/" + COMMITTED).isEqualTo(Files.readString(committed));
    }

    /** The {@code /internal} paths, the component schemas they reach, and the security scheme they name. */
    private static String internalOnly(JsonNode api) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.set("openapi", api.get("openapi"));
        ObjectNode paths = out.putObject("paths");
        api.get("paths").fields().forEachRemaining(p -> {
            if (p.getKey().startsWith("/internal/")) {
                paths.set(p.getKey(), p.getValue());
            }
        });
        JsonNode schemas = api.path("components").path("schemas");
        TreeSet<String> used = new TreeSet<>();
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(paths);
        while (!todo.isEmpty()) {
            JsonNode node = todo.pop();
            if (node.isObject() && node.has("$ref") && node.get("$ref").asText().startsWith("#/components/schemas/")) {
                String name = node.get("$ref").asText().substring("#/components/schemas/".length());
                if (used.add(name) && schemas.has(name)) {
                    todo.push(schemas.get(name));
                }
            }
            node.elements().forEachRemaining(todo::push);
        }
        ObjectNode components = out.putObject("components");
        ObjectNode kept = components.putObject("schemas");
        used.forEach(name -> kept.set(name, schemas.get(name)));
        components.putObject("securitySchemes").set("internalToken",
                api.path("components").path("securitySchemes").path("internalToken"));
        return JSON.writeValueAsString(sorted(out)) + "\n";
    }

    /** Object keys in order, so the file does not change with the generator's map order; arrays keep theirs. */
    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> fields = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                fields.put(field.getKey(), sorted(field.getValue()));
            }
            ObjectNode copy = JSON.createObjectNode();
            fields.forEach(copy::set);
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JSON.createArrayNode();
            node.forEach(item -> copy.add(sorted(item)));
            return copy;
        }
        return node;
    }
}
