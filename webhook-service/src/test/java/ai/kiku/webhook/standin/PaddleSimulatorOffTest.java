package ai.kiku.webhook.standin;

import ai.kiku.webhook.client.PaddleClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.startsWith;

/** With local stand-ins off there is no simulator: every path under /paddle-sim is 404, even from loopback. */
@QuarkusTest
@TestProfile(PaddleSimulatorOffTest.StandinsOff.class)
class PaddleSimulatorOffTest {

    /** Production-like: no stand-ins, no Paddle API key. */
    public static class StandinsOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kiku.local-standins", "false");
        }
    }

    @Test
    void shouldHaveNoSimulatorEndpointsWhenStandinsAreOff() {
        given().header("Authorization", "Bearer " + PaddleClient.SIMULATOR_KEY).contentType("application/json")
                .body("{\"items\":[{\"price_id\":\"pri_local_5\",\"quantity\":1}]}")
                .post("/paddle-sim/transactions").then().statusCode(404)
                .contentType(startsWith("application/problem+json"));
        given().get("/paddle-sim/checkout/txn_anything").then().statusCode(404);
        given().post("/paddle-sim/checkout/txn_anything/pay").then().statusCode(404);
        given().put("/paddle-sim/transactions").then().statusCode(404);
        given().get("/paddle-sim").then().statusCode(404);
    }
}
