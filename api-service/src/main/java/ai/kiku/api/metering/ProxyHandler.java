package ai.kiku.api.metering;

import ai.kiku.api.http.ApiRouter;
import ai.kiku.api.http.Replies;
import ai.kiku.api.provider.ProxyEndpoint;
import ai.kiku.api.service.ApiCaller;
import ai.kiku.api.service.PriceList;
import ai.kiku.api.service.CatalogueService;
import ai.kiku.api.service.ChatRequest;
import ai.kiku.api.service.RequestParsers;
import ai.kiku.api.service.KeyResolver;
import ai.kiku.common.error.Problem;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.money.Micros;
import ai.kiku.api.redis.HotPath;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.common.money.ReserveResult;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code POST /api/v1/proxy/llm} (our shape) and OpenAI's metered endpoints ({@link ProxyEndpoint}):
 * authenticate, validate and price, reserve the worst case in one Redis call, then hand over to
 * {@link MeteredProxy}. Every answer after the reservation carries the key's rate-limit headers.
 */
@ApplicationScoped
public class ProxyHandler {

    /** Set when the client sent no max_tokens and the balance could not pay the model's maximum output. */
    public static final String CAPPED_HEADER = "X-Kiku-Max-Tokens-Capped";

    private final KeyResolver keys;
    private final CatalogueService catalogue;
    private final RequestParsers parsers;
    private final MoneyCore money;
    private final MeteredProxy proxy;
    private final Replies replies;

    public ProxyHandler(KeyResolver keys, CatalogueService catalogue, RequestParsers parsers, @HotPath MoneyCore money,
                        MeteredProxy proxy, Replies replies) {
        this.keys = keys;
        this.catalogue = catalogue;
        this.parsers = parsers;
        this.money = money;
        this.proxy = proxy;
        this.replies = replies;
    }

    /** Chat completions: our shape ({@code ownShape}) or OpenAI's. */
    public void handle(RoutingContext ctx, boolean ownShape) {
        handle(ctx, ProxyEndpoint.CHAT, ownShape);
    }

    /** An OpenAI endpoint other than chat. */
    public void handle(RoutingContext ctx, ProxyEndpoint endpoint) {
        handle(ctx, endpoint, false);
    }

    private void handle(RoutingContext ctx, ProxyEndpoint endpoint, boolean ownShape) {
        String authorization = KeyResolver.presented(ctx.request());
        keys.resolveRechecked(authorization).onComplete(result -> {
            if (result.succeeded()) {
                authorized(ctx, result.result(), endpoint, ownShape);
            } else {
                replies.failure(ctx, result.cause());
            }
        });
    }

    private void authorized(RoutingContext ctx, ApiCaller caller, ProxyEndpoint endpoint, boolean ownShape) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.regionMatches(true, 0, "application/json", 0, 16)) {
            replies.problem(ctx, new Problem("https://kiku.ai/problems/unsupported-media-type",
                    "Invalid request", 400, "send the request body as application/json")
                    .with("field", "Content-Type"));
            return;
        }
        catalogue.get().subscribe().with(prices -> priced(ctx, caller, prices, endpoint, ownShape),
                failure -> replies.failure(ctx, failure));
    }

    private void priced(RoutingContext ctx, ApiCaller caller, PriceList prices, ProxyEndpoint endpoint,
                        boolean ownShape) {
        ChatRequest request;
        try {
            byte[] bytes = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            request = parsers.parse(endpoint, bytes, ownShape, prices);
        } catch (ProblemException e) {
            replies.problem(ctx, e.problem());
            return;
        }
        String requestId = ctx.get(ApiRouter.REQUEST_ID);
        money.reserve(caller.accountId(), caller.keyId(), requestId, request.reserveMicros(), request.leastReserveMicros(),
                        request.inputBound() + request.outputBound(), request.model())
                .subscribe().with(reserved -> reserved(ctx, new MeteredCall(ctx, caller, held(ctx, request, reserved),
                                requestId, ownShape, proxy.keeper(ctx, caller.accountId(), requestId)), reserved),
                        failure -> replies.failure(ctx, failure));
    }

    /** The request as the hold pays it: capped, and saying so, when the balance could not pay its maximum output. */
    private static ChatRequest held(RoutingContext ctx, ChatRequest request, ReserveResult result) {
        if (!result.reserved() || result.reservedMicros() >= request.reserveMicros()) {
            return request;
        }
        ChatRequest capped = request.cappedTo(result.reservedMicros());
        ctx.response().putHeader(CAPPED_HEADER, Long.toString(capped.outputCap()));
        return capped;
    }

    private void reserved(RoutingContext ctx, MeteredCall call, ReserveResult result) {
        HttpServerResponse response = ctx.response();
        long resetSeconds = Math.max(1, (result.rateResetMillis() + 999) / 1000);
        if (result.rateLimit() > 0) {
            response.putHeader("X-RateLimit-Limit", Long.toString(result.rateLimit()))
                    .putHeader("X-RateLimit-Remaining", Long.toString(Math.max(0, result.rateRemaining())))
                    .putHeader("X-RateLimit-Reset", Long.toString(resetSeconds));
        }
        switch (result.outcome()) {
            case RESERVED -> proxy.run(call);
            case INSUFFICIENT_FUNDS -> {
                ChatRequest request = call.request();
                long required = request.leastReserveMicros();
                long available = Math.max(0, result.spendableMicros());
                String needs = request.flex() == null ? "this request may cost up to " + Micros.format(required) + " USD"
                        : "this request needs at least " + Micros.format(required) + " USD (its input and "
                        + request.flex().minCap() + " output tokens)";
                replies.problem(ctx, new Problem("https://kiku.ai/problems/insufficient-funds", "Payment Required", 402,
                        needs + " but only "
                                + Micros.format(available) + " USD is available; top up or lower max_tokens")
                        .with("requiredMicros", required).with("required", Micros.format(required))
                        .with("availableMicros", available).with("available", Micros.format(available)));
            }
            case RATE_LIMITED -> {
                response.putHeader("Retry-After", Long.toString(resetSeconds));
                replies.problem(ctx, new Problem("https://kiku.ai/problems/rate-limited", "Too Many Requests", 429,
                        "this key's limit of " + result.rateLimit() + " requests per minute is used up; retry in "
                                + resetSeconds + " s").with("limit", result.rateLimit()));
            }
            case KEY_INACTIVE -> {
                keys.forget(KeyResolver.presented(ctx.request()));
                replies.failure(ctx, KeyResolver.unauthorized());
            }
            case ACCOUNT_INACTIVE -> replies.problem(ctx, new Problem("https://kiku.ai/problems/account-inactive",
                    "Forbidden", 403, "the account is suspended or closed"));
            case KEY_EXPIRED, MODEL_NOT_ALLOWED, TOKEN_RATE_LIMITED, SPEND_CAP_REACHED, MONTHLY_SPEND_CAP_REACHED ->
                    KeyControlProblems.refuse(ctx, replies, call.request(), result);
            case NO_ACCOUNT -> replies.failure(ctx, ProblemException.unavailable("the account's state is not available yet"));
            // a balancer's replay of a request an instance already took (RequestIds): refused, not run twice
            case DUPLICATE_HOLD -> replies.failure(ctx, ProblemException.conflict("request " + ctx.get(ApiRouter.REQUEST_ID)
                    + " was already received by another instance, which did not answer; it is not run or charged twice"));
        }
    }
}
