package ai.kiku.api.rest;

import ai.kiku.api.http.Replies;
import ai.kiku.api.provider.ProviderRegistry;
import ai.kiku.api.service.CatalogueService;
import ai.kiku.api.service.GatewayProblems;
import ai.kiku.api.service.KeyResolver;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** {@code GET /api/v1/products} (the price list) and {@code GET /v1/models[/{id}]} (OpenAI's model list and model). */
@ApplicationScoped
public class CatalogueHandlers {

    /** The path of one model, before its id. */
    public static final String MODEL_PATH = "/v1/models/";

    private final KeyResolver keys;
    private final CatalogueService catalogue;
    private final ProviderRegistry providers;
    private final Replies replies;

    public CatalogueHandlers(KeyResolver keys, CatalogueService catalogue, ProviderRegistry providers,
                             Replies replies) {
        this.keys = keys;
        this.catalogue = catalogue;
        this.providers = providers;
        this.replies = replies;
    }

    public void products(RoutingContext ctx) {
        keys.resolve(KeyResolver.presented(ctx.request()))
                .flatMap(caller -> catalogue.get())
                .subscribe().with(prices -> {
                    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=60");
                    replies.raw(ctx, 200, Replies.JSON, Buffer.buffer(prices.json()));
                }, failure -> replies.failure(ctx, failure));
    }

    /** Models that are both priced and served by at least one provider. */
    public void models(RoutingContext ctx) {
        keys.resolve(KeyResolver.presented(ctx.request()))
                .flatMap(caller -> catalogue.get())
                .subscribe().with(prices -> {
                    List<Map<String, Object>> data = prices.modelNames().stream()
                            .filter(this::served)
                            .map(this::modelObject)
                            .toList();
                    replies.json(ctx, 200, Map.of("object", "list", "data", data));
                }, failure -> replies.failure(ctx, failure));
    }

    /**
     * {@code GET /v1/models/{id}}: one model of {@link #models}, or 404 {@code model_not_found}. Like
     * the list it is not charged. The id may hold slashes (OpenRouter's {@code vendor/model}), plain or
     * percent-encoded, so it is the whole rest of the path.
     */
    public void model(RoutingContext ctx) {
        String id = modelId(ctx.normalizedPath());
        keys.resolve(KeyResolver.presented(ctx.request()))
                .flatMap(caller -> catalogue.get())
                .subscribe().with(prices -> {
                    if (id.isEmpty() || !prices.modelNames().contains(id) || !served(id)) {
                        replies.failure(ctx, GatewayProblems.modelNotFound(404, "the model '" + id
                                + "' does not exist here; GET /v1/models lists the models served"));
                    } else {
                        replies.json(ctx, 200, modelObject(id));
                    }
                }, failure -> replies.failure(ctx, failure));
    }

    static String modelId(String path) {
        String rest = path.substring(Math.min(path.length(), MODEL_PATH.length()));
        try {
            return URLDecoder.decode(rest.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return rest; // a stray '%': no model is named so, and it is answered 404 like any unknown one
        }
    }

    private boolean served(String model) {
        return !providers.routes(model).isEmpty();
    }

    private Map<String, Object> modelObject(String model) {
        return Map.of("id", model, "object", "model", "created", 0,
                "owned_by", providers.routes(model).get(0).provider().name());
    }
}
