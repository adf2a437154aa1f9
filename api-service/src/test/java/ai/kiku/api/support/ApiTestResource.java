package ai.kiku.api.support;

import ai.kiku.devstack.RedisCluster;
import ai.kiku.devstack.RedisSentinels;
import ai.kiku.devstack.RedisServers;
import ai.kiku.devstack.RedisStandalone;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * What the gateway's tests run against: the JVM-wide real Redis Cluster of the shared harness
 * (the api-service never touches PostgreSQL, so unlike KikuInfraResource it starts none), and an
 * {@link UpstreamStub} playing the providers {@code alpha}, {@code beta}, {@code flaky},
 * {@code steady} and billing's internal API, plus a provider {@code down} whose port refuses connections, and an
 * {@link AnthropicStub} playing the Anthropic providers {@code claude} and {@code claude2} (model {@code claude-test}).
 * Init arg {@code redis=standalone|sentinel} runs the gateway over the harness's shared server or Sentinel setup
 * instead ({@code kiku.redis.mode} and the rest of its settings).
 */
public class ApiTestResource implements QuarkusTestResourceLifecycleManager {

    private UpstreamStub stub;
    private AnthropicStub anthropic;
    private String redisMode = "cluster";

    @Override
    public void init(Map<String, String> initArgs) {
        redisMode = initArgs.getOrDefault("redis", "cluster");
    }

    @Override
    public Map<String, String> start() {
        RedisServers redis = switch (redisMode) {
            case "standalone" -> RedisStandalone.shared();
            case "sentinel" -> RedisSentinels.shared();
            default -> RedisCluster.shared();
        };
        stub = UpstreamStub.start(0);
        Map<String, String> config = new HashMap<>(redis.config());
        config.put("kiku.billing.url", "http://127.0.0.1:" + stub.port());
        config.put("kiku.internal.token", "test-internal-token");
        config.put("kiku.test.stub-port", Integer.toString(stub.port()));
        provider(config, "alpha", stub.baseUrl("alpha"), "stub-model,slow-model,big-model", 10);
        provider(config, "beta", stub.baseUrl("beta"), "stub-model", 20);
        provider(config, "flaky", stub.baseUrl("flaky"), "circuit-model", 10);
        provider(config, "steady", stub.baseUrl("steady"), "circuit-model", 20);
        provider(config, "down", "http://127.0.0.1:" + closedPort() + "/v1", "down-model", 10);
        provider(config, "sluggish", stub.baseUrl("sluggish"), "timeout-model", 10);
        config.put("kiku.providers.sluggish.timeout", "150ms");
        config.put("kiku.providers.alpha.timeout", "2s");
        config.put("kiku.llm.routes.\"timeout-model\"", "sluggish,alpha");
        config.put("kiku.llm.routes.\"down-model\"", "down,alpha");
        config.put("kiku.llm.routes.\"slow-model\"", "alpha");
        // the Anthropic providers have keys, which would turn the built-in local provider off by default
        config.put("kiku.llm.local.enabled", "true");
        // what nginx puts before its attempt id (BalancerReplayTest)
        config.put("kiku.api.attempt-token", "test-attempt-token");
        anthropic = AnthropicStub.start();
        config.put("kiku.test.anthropic-port", Integer.toString(anthropic.port()));
        for (String name : new String[]{"claude", "claude2"}) {
            provider(config, name, anthropic.baseUrl(name), "claude-test", name.equals("claude") ? 10 : 20);
            config.put("kiku.providers." + name + ".type", "anthropic");
            config.put("kiku.providers." + name + ".api-key", "sk-ant-" + name);
            config.put("kiku.providers." + name + ".failure-threshold", "1000");
        }
        provider(config, "sharea", stub.baseUrl("sharea"), "shared-model", 10);
        provider(config, "shareb", stub.baseUrl("shareb"), "shared-model", 10);
        config.put("kiku.llm.routes.\"shared-model\"", "sharea@3,shareb@1");
        provider(config, "brokenshare", stub.baseUrl("brokenshare"), "sharedfail-model", 10);
        config.put("kiku.providers.brokenshare.failure-threshold", "1000000"); // never open: each call tries it
        config.put("kiku.llm.routes.\"sharedfail-model\"", "brokenshare@3,steady@1");
        for (String limited : new String[]{"limitedopenai", "limitedgroq", "limitedrouter"}) {
            provider(config, limited, stub.baseUrl(limited), "limited-model,alllimited-model", 10);
            config.put("kiku.providers." + limited + ".failure-threshold", "1000000"); // never open: each 429 is seen
        }
        config.put("kiku.llm.routes.\"limited-model\"", "limitedopenai,limitedgroq,limitedrouter,steady");
        config.put("kiku.llm.routes.\"alllimited-model\"", "limitedopenai,limitedgroq,limitedrouter");
        return config;
    }

    private static void provider(Map<String, String> config, String name, String url, String models, int order) {
        config.put("kiku.providers." + name + ".base-url", url);
        config.put("kiku.providers." + name + ".models", models);
        config.put("kiku.providers." + name + ".order", Integer.toString(order));
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (stub != null) {
            stub.close();
        }
        if (anthropic != null) {
            anthropic.close();
        }
    }
}
