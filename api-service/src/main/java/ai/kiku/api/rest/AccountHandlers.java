package ai.kiku.api.rest;

import ai.kiku.api.service.KeyResolver;
import ai.kiku.api.service.UsageQuery;
import ai.kiku.api.service.UsageService;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.money.BalanceView;
import ai.kiku.common.money.Micros;
import ai.kiku.api.config.HotPath;
import ai.kiku.common.money.MoneyCore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code GET /api/v1/balance} (real time, never cached) and {@code GET /api/v1/usage} (cached ≤ 1 min). */
@ApplicationScoped
public class AccountHandlers {

    private final KeyResolver keys;
    private final MoneyCore money;
    private final UsageService usage;
    private final Replies replies;

    public AccountHandlers(KeyResolver keys, @HotPath MoneyCore money, UsageService usage, Replies replies) {
        this.keys = keys;
        this.money = money;
        this.usage = usage;
        this.replies = replies;
    }

    /** The balance as the money core holds it right now. */
    public record Balance(long accountId, String status, long balanceMicros, String balance, long heldMicros,
                          String held, long availableMicros, String available, long lowBalanceThresholdMicros,
                          String lowBalanceThreshold) {

        static Balance of(long accountId, BalanceView v) {
            return new Balance(accountId, v.accountStatus(), v.balanceMicros(), Micros.format(v.balanceMicros()),
                    v.heldMicros(), Micros.format(v.heldMicros()), v.spendableMicros(),
                    Micros.format(v.spendableMicros()), v.thresholdMicros(), Micros.format(v.thresholdMicros()));
        }
    }

    void balance(RoutingContext ctx) {
        String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        keys.resolve(authorization)
                .flatMap(caller -> money.peek(caller.accountId(), caller.keyId()).map(view -> {
                    if (!"active".equals(view.keyStatus())) {
                        keys.forget(authorization);
                        throw KeyResolver.unauthorized();
                    }
                    if (!view.exists()) {
                        throw ProblemException.unavailable("the account's state is not available yet");
                    }
                    return Balance.of(caller.accountId(), view);
                }))
                .subscribe().with(balance -> {
                    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
                    replies.json(ctx, 200, balance);
                }, failure -> replies.failure(ctx, failure));
    }

    void usage(RoutingContext ctx) {
        UsageQuery query;
        try {
            query = UsageQuery.of(ctx.queryParams().get("from"), ctx.queryParams().get("to"),
                    ctx.queryParams().get("groupBy"), usage.maxDays());
        } catch (ProblemException e) {
            keys.resolve(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).subscribe()
                    .with(caller -> replies.problem(ctx, e.problem()), failure -> replies.failure(ctx, failure));
            return;
        }
        keys.resolve(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
                .flatMap(caller -> usage.summary(caller.accountId(), query))
                .subscribe().with(json -> {
                    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=60");
                    replies.raw(ctx, 200, Replies.JSON, Buffer.buffer(json));
                }, failure -> replies.failure(ctx, failure));
    }
}
