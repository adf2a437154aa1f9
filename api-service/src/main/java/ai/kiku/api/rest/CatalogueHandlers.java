package ai.kiku.api.rest;

import ai.kiku.api.http.Replies;
import ai.kiku.api.provider.ProviderRegistry;
import ai.kiku.api.service.CatalogueService;
import ai.kiku.api.service.KeyResolver;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;

/** {@code GET /api/v1/products} (the price list) and {@code GET /v1/models} (OpenAI's model list). */
@ApplicationScoped
public class CatalogueHandlers {

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
        keys.resolve(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
                .flatMap(caller -> catalogue.get())
                .subscribe().with(prices -> {
                    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=60");
                    replies.raw(ctx, 200, Replies.JSON, Buffer.buffer(prices.json()));
                }, failure -> replies.failure(ctx, failure));
    }

    /** Models that are both priced and served by at least one provider. */
    public void models(RoutingContext ctx) {
        keys.resolve(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
                .flatMap(caller -> catalogue.get())
                .subscribe().with(prices -> {
                    List<Map<String, Object>> data = prices.modelNames().stream()
                            .filter(model -> !providers.routes(model).isEmpty())
                            .map(model -> Map.<String, Object>of("id", model, "object", "model", "created", 0,
                                    "owned_by", providers.routes(model).get(0).provider().name()))
                            .toList();
                    replies.json(ctx, 200, Map.of("object", "list", "data", data));
                }, failure -> replies.failure(ctx, failure));
    }
}
