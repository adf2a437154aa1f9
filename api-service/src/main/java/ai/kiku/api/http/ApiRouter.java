package ai.kiku.api.http;

import ai.kiku.api.rest.AccountHandlers;
import ai.kiku.api.rest.CatalogueHandlers;
import ai.kiku.api.rest.UsageRecordHandlers;
import ai.kiku.api.metering.ProxyHandler;
import ai.kiku.api.provider.ProxyEndpoint;
import ai.kiku.api.config.ApiConfig;
import ai.kiku.api.service.ApiMetrics;
import ai.kiku.api.service.RequestIds;
import ai.kiku.common.error.Problem;
import ai.kiku.common.error.ProblemException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.util.Locale;
import java.util.Map;

/**
 * The public API as Vert.x Web routes: no per-request framework work beyond what each endpoint
 * needs (the gateway's overhead is a product feature), full control over streaming and client
 * disconnects, and one filter giving every answer a request id and its metrics.
 */
@ApplicationScoped
public class ApiRouter {

    private static final Logger LOG = Logger.getLogger(ApiRouter.class);

    /** RoutingContext key of the request id (also the hold id of a metered call). */
    public static final String REQUEST_ID = "kiku.requestId";
    private static final String BODY_LIMIT = "kiku.bodyLimit";

    private static final Map<String, String> ENDPOINTS = Map.ofEntries(
            Map.entry("/api/v1/ping", "ping"),
            Map.entry("/api/v1/balance", "balance"),
            Map.entry("/api/v1/usage", "usage"),
            Map.entry("/api/v1/usage/requests", "usage_requests"),
            Map.entry("/api/v1/usage/export", "usage_export"),
            Map.entry("/api/v1/products", "products"),
            Map.entry("/api/v1/proxy/llm", "proxy_llm"),
            Map.entry("/v1/chat/completions", "chat_completions"),
            Map.entry("/v1/models", "models"),
            Map.entry("/v1/embeddings", "embeddings"),
            Map.entry("/v1/completions", "completions"),
            Map.entry("/v1/responses", "responses"),
            Map.entry("/v1/messages", "messages"));

    private final ApiConfig config;
    private final ApiMetrics metrics;
    private final AccountHandlers account;
    private final CatalogueHandlers catalogue;
    private final ProxyHandler proxy;
    private final Replies replies;
    private final UsageRecordHandlers usageRecords;
    private final BodyBudget budget;

    public ApiRouter(ApiConfig config, ApiMetrics metrics, AccountHandlers account, CatalogueHandlers catalogue,
                     ProxyHandler proxy, Replies replies, UsageRecordHandlers usageRecords, BodyBudget budget) {
        this.usageRecords = usageRecords;
        this.budget = budget;
        this.config = config;
        this.metrics = metrics;
        this.account = account;
        this.catalogue = catalogue;
        this.proxy = proxy;
        this.replies = replies;
    }

    void mount(@Observes Router router) {
        for (String prefix : new String[]{"/api/*", "/v1/*"}) {
            router.route(prefix).handler(this::begin);
        }
        router.get("/api/v1/ping").handler(ctx -> replies.raw(ctx, 200, Replies.JSON,
                io.vertx.core.buffer.Buffer.buffer("{\"status\":\"ok\"}")));
        router.get("/api/v1/balance").handler(account::balance);
        router.get("/api/v1/usage").handler(account::usage);
        router.get("/api/v1/usage/requests").handler(usageRecords::list);
        router.get("/api/v1/usage/export").handler(usageRecords::export);
        router.get("/api/v1/products").handler(catalogue::products);
        router.get("/v1/models").handler(catalogue::models);
        router.get(CatalogueHandlers.MODEL_PATH + "*").handler(catalogue::model);
        Handler<RoutingContext> chatBody = body(config.bodyLimits().chat());
        router.post("/api/v1/proxy/llm").handler(chatBody).handler(ctx -> proxy.handle(ctx, true));
        router.post("/v1/chat/completions").handler(chatBody).handler(ctx -> proxy.handle(ctx, false));
        // the Responses and Messages APIs take images as chat does; embeddings and legacy completions are text
        router.post("/v1/responses").handler(chatBody).handler(ctx -> proxy.handle(ctx, ProxyEndpoint.RESPONSES));
        router.post(AnthropicError.PATH).handler(chatBody).handler(ctx -> proxy.handle(ctx, ProxyEndpoint.MESSAGES));
        Handler<RoutingContext> textBody = body(config.maxBodyBytes());
        router.post("/v1/embeddings").handler(textBody).handler(ctx -> proxy.handle(ctx, ProxyEndpoint.EMBEDDINGS));
        router.post("/v1/completions").handler(textBody).handler(ctx -> proxy.handle(ctx, ProxyEndpoint.COMPLETIONS));
        for (String prefix : new String[]{"/api/*", "/v1/*"}) {
            router.route(prefix).handler(ctx -> replies.problem(ctx, new Problem("https://kiku.ai/problems/http-404",
                    "Not Found", 404, "no such resource")));
            router.route(prefix).failureHandler(this::failed);
        }
    }

    /**
     * Reads a JSON body of at most {@code limit} bytes (a larger one fails the route with 413, answered 400) if it
     * fits the instance's {@link BodyBudget}, else refuses it unread with 503.
     */
    private Handler<RoutingContext> body(int limit) {
        BodyHandler json = BodyHandler.create(false).setBodyLimit(limit);
        return ctx -> {
            ctx.put(BODY_LIMIT, limit);
            if (isForm(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
                // BodyHandler would decode a form itself, and a field over Vert.x's form limit (8 kB)
                // failed the request with a decoder exception (answered 503). The proxy refuses forms
                // unread (401 without a key, else 400 naming Content-Type), whatever their size.
                ctx.next();
            } else if (budget.admit(ctx, limit)) {
                json.handle(ctx);
            }
        };
    }

    /** The content types Vert.x's BodyHandler decodes as a form instead of keeping the bytes. */
    static boolean isForm(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.contains("multipart/") || type.contains("application/x-www-form-urlencoded");
    }

    private void begin(RoutingContext ctx) {
        String id;
        ProblemException refused = null;
        try {
            id = RequestIds.of(ctx.request().getHeader(RequestIds.ATTEMPT_HEADER), config.attemptToken());
        } catch (ProblemException e) {
            id = RequestIds.next();
            refused = e;
        }
        ctx.put(REQUEST_ID, id);
        MDC.put("requestId", id);
        ctx.response().putHeader("X-Request-Id", id);
        String path = ctx.normalizedPath();
        ApiMetrics.Endpoint endpoint = metrics.endpoint(ENDPOINTS.getOrDefault(path,
                path.startsWith(CatalogueHandlers.MODEL_PATH) ? "model" : "other"));
        long start = System.nanoTime();
        ctx.addEndHandler(v -> endpoint.request(ctx.response().getStatusCode(), System.nanoTime() - start));
        if (refused != null) {
            replies.failure(ctx, refused);
            return;
        }
        ctx.next();
    }

    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            // 400 rather than 413: every bad input is answered alike, as a problem naming the field.
            Integer routeLimit = ctx.get(BODY_LIMIT);
            int limit = routeLimit == null ? config.maxBodyBytes() : routeLimit;
            replies.problem(ctx, new Problem("https://kiku.ai/problems/body-too-large", "Invalid request", 400,
                    "the request body exceeds " + limit + " bytes").with("field", "body").with("maxBytes", limit));
        } else if (ctx.failure() instanceof HttpClosedException) {
            // the client left mid-upload: nobody to answer, and no fault of ours (logged as an error, each
            // dropped upload would be one line of noise an adversary could write at will)
            LOG.debugf("request %s: the client left before its body was read", (Object) ctx.get(REQUEST_ID));
        } else if (ctx.failure() != null) {
            replies.failure(ctx, ctx.failure());
        } else if (status >= 400 && status < 500) {
            replies.problem(ctx, new Problem("https://kiku.ai/problems/http-" + status, "Bad request", status,
                    "the request could not be read"));
        } else {
            replies.problem(ctx, new Problem("https://kiku.ai/problems/internal", "Internal error", 500,
                    "the request could not be completed"));
        }
    }
}
