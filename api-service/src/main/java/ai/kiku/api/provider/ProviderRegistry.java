package ai.kiku.api.provider;

import ai.kiku.api.standin.LocalEchoProvider;
import ai.kiku.api.config.LlmConfig;
import ai.kiku.api.config.ProvidersConfig;
import ai.kiku.api.service.ApiMetrics;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The configured providers and which of them serve a model, in fallback order: an explicit route
 * ({@code kiku.llm.routes."model"}, optionally sharing the load by weight: {@link WeightedRoutes}) wins; otherwise every provider listing the model in its
 * {@code models}, then every provider without a model list, each group by {@code order} then name.
 * The built-in {@code local} provider serves {@code local-echo} and {@code local-embed}.
 */
@ApplicationScoped
@Startup
public class ProviderRegistry {

    private static final Logger LOG = Logger.getLogger(ProviderRegistry.class);

    private final Map<String, ChatProvider> providers = new LinkedHashMap<>();
    private final Map<String, List<Route>> explicit = new LinkedHashMap<>();
    private final Map<String, WeightedRoutes> weighted = new LinkedHashMap<>();
    private final Map<String, List<Route>> resolved = new ConcurrentHashMap<>();
    private final List<String> ordered;
    private final ProvidersConfig config;
    private final Set<String> localModels;
    private final boolean localEnabled;

    public ProviderRegistry(ProvidersConfig config, LlmConfig llm, Vertx vertx, ObjectMapper mapper,
                            ApiMetrics metrics,
                            @ConfigProperty(name = "kiku.local-standins", defaultValue = "false") boolean standins) {
        this.config = config;
        this.localModels = Set.copyOf(List.of(llm.local().model(), llm.local().embedModel()));
        boolean anyKey = config.all().values().stream().anyMatch(p -> p.enabled() && p.apiKey().isPresent());
        this.localEnabled = llm.local().enabled().orElse(localByDefault(standins, anyKey, LaunchMode.current()));
        if (localEnabled) {
            providers.put(LocalEchoProvider.NAME, new LocalEchoProvider(mapper, vertx));
        }
        config.all().forEach((name, p) -> {
            if (LocalEchoProvider.NAME.equals(name)) {
                throw new IllegalStateException("kiku.providers.local is reserved for the built-in provider");
            }
            if (p.enabled()) {
                providers.put(name, new HttpChatProvider(name, p, vertx, mapper, metrics));
            }
        });
        this.ordered = config.all().entrySet().stream().filter(e -> e.getValue().enabled())
                .sorted(Comparator.comparingInt((Map.Entry<String, ProvidersConfig.Provider> e) -> e.getValue().order())
                        .thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey).toList();
        llm.routes().forEach((model, spec) -> explicit.put(model, parse(model, spec)));
        LOG.infof("LLM providers: %s (local provider %s)", providers.keySet(), localEnabled ? "on" : "off");
        if (providers.isEmpty()) {
            LOG.warn("no LLM provider is configured: every model is answered 404 model_not_found, nothing is charged; "
                    + "configure kiku.providers.<name>.base-url (and api-key), or enable the local provider "
                    + "(kiku.llm.local.enabled=true) for a demo");
        }
    }

    /**
     * Whether the built-in local provider runs when kiku.llm.local.enabled is not set: with the local
     * stand-ins, or in dev and test when no provider has a key. Never by default in production, where a
     * fake model billed at the per-request price would be a silent surprise.
     */
    static boolean localByDefault(boolean standins, boolean anyProviderKey, LaunchMode mode) {
        return standins || (!anyProviderKey && mode != LaunchMode.NORMAL);
    }

    /** The providers that serve models, by name (the local one included when it runs). */
    public Set<String> names() {
        return Collections.unmodifiableSet(providers.keySet());
    }

    public boolean localEnabled() {
        return localEnabled;
    }

    /** Providers serving {@code model}, in configured fallback order (empty when none). */
    public List<Route> routes(String model) {
        return resolved.computeIfAbsent(model, this::compute);
    }

    /**
     * Providers to try for one call of {@code model}: {@link #routes}, but for a model whose route gives weights,
     * starting at the provider whose turn it is by weight.
     */
    public List<Route> routesForCall(String model) {
        WeightedRoutes shared = weighted.get(model);
        return shared == null ? routes(model) : shared.next();
    }

    /** Whether a provider of that name is configured and enabled. */
    public boolean has(String provider) {
        return providers.containsKey(provider);
    }

    public Optional<ChatProvider> provider(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    private List<Route> compute(String model) {
        List<Route> routes = explicit.get(model);
        if (routes != null) {
            return routes;
        }
        List<Route> out = new ArrayList<>();
        if (localEnabled && localModels.contains(model)) {
            out.add(new Route(providers.get(LocalEchoProvider.NAME), model));
            return List.copyOf(out);
        }
        for (String name : ordered) {
            if (config.all().get(name).models().map(list -> list.contains(model)).orElse(false)) {
                out.add(new Route(providers.get(name), model));
            }
        }
        for (String name : ordered) {
            if (config.all().get(name).models().isEmpty()) {
                out.add(new Route(providers.get(name), model));
            }
        }
        return List.copyOf(out);
    }

    private List<Route> parse(String model, String spec) {
        List<Route> routes = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        for (String part : spec.split(",")) {
            String entry = part.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String name = colon < 0 ? entry : entry.substring(0, colon);
            String upstream = colon < 0 ? model : entry.substring(colon + 1);
            int weight = 0;
            int at = name.indexOf('@');
            if (at >= 0) {
                weight = weight(model, name.substring(at + 1));
                name = name.substring(0, at);
            }
            ChatProvider provider = providers.get(name);
            if (provider == null) {
                if (LocalEchoProvider.NAME.equals(name) || (config.all().containsKey(name))) {
                    continue; // configured but switched off
                }
                throw new IllegalStateException("kiku.llm.routes.\"" + model + "\" names unknown provider " + name);
            }
            routes.add(new Route(provider, upstream));
            weights.add(weight);
        }
        WeightedRoutes shared = new WeightedRoutes(routes, weights.stream().mapToInt(Integer::intValue).toArray());
        if (shared.shared()) {
            weighted.put(model, shared);
        }
        return List.copyOf(routes);
    }

    private static int weight(String model, String text) {
        try {
            int weight = Integer.parseInt(text.trim());
            if (weight >= 0 && weight <= 1_000_000) {
                return weight;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException("kiku.llm.routes.\"" + model + "\": weight '" + text
                + "' must be a whole number from 0 to 1000000");
    }

    @PreDestroy
    void close() {
        providers.values().forEach(p -> {
            if (p instanceof HttpChatProvider http) {
                http.close();
            }
        });
    }
}
