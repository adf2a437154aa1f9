package ai.kiku.api.rest;

import ai.kiku.api.http.Replies;
import ai.kiku.api.redis.HotPath;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.api.service.KeyResolver;
import ai.kiku.api.service.UsageQuery;
import ai.kiku.api.service.UsageService;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.money.BalanceView;
import ai.kiku.common.money.Micros;
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

        /**
         * The same JSON Jackson writes for this record (component order), written by hand: this is
         * the hot path of GET /balance, where bean serialization was a measurable share of the work.
         */
        Buffer toJson() {
            return json(accountId, status, balanceMicros, heldMicros, lowBalanceThresholdMicros);
        }

        /**
         * The JSON of {@code Balance.of(accountId, view)} without building the record: null when the status would
         * need escaping (then Jackson writes it).
         */
        static Buffer json(long accountId, String status, long balanceMicros, long heldMicros, long thresholdMicros) {
            if (!plain(status)) {
                return null;
            }
            long available = balanceMicros - heldMicros;
            StringBuilder out = new StringBuilder(320);
            out.append("{\"accountId\":").append(accountId)
                    .append(",\"status\":\"").append(status)
                    .append("\",\"balanceMicros\":").append(balanceMicros)
                    .append(",\"balance\":\"");
            Micros.appendTo(out, balanceMicros).append("\",\"heldMicros\":").append(heldMicros)
                    .append(",\"held\":\"");
            Micros.appendTo(out, heldMicros).append("\",\"availableMicros\":").append(available)
                    .append(",\"available\":\"");
            Micros.appendTo(out, available).append("\",\"lowBalanceThresholdMicros\":").append(thresholdMicros)
                    .append(",\"lowBalanceThreshold\":\"");
            Micros.appendTo(out, thresholdMicros).append("\"}");
            return Buffer.buffer(out.toString());
        }

        /** True when the text needs no JSON escaping (statuses are plain words; anything else goes to Jackson). */
        private static boolean plain(String text) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < 0x20 || c == '"' || c == '\\' || c > 0x7e) {
                    return false;
                }
            }
            return true;
        }

        static Balance of(long accountId, BalanceView v) {
            return new Balance(accountId, v.accountStatus(), v.balanceMicros(), Micros.format(v.balanceMicros()),
                    v.heldMicros(), Micros.format(v.heldMicros()), v.spendableMicros(),
                    Micros.format(v.spendableMicros()), v.thresholdMicros(), Micros.format(v.thresholdMicros()));
        }
    }

    public void balance(RoutingContext ctx) {
        String authorization = KeyResolver.presented(ctx.request());
        // Plain Vert.x futures end to end: this endpoint's cost is mostly per-call overhead, and Mutiny's
        // operators (context capture) were a tenth of it.
        keys.resolveRechecked(authorization)
                .compose(caller -> money.peekNow(caller.accountId(), caller.keyId()).map(view -> {
                    if (!"active".equals(view.keyStatus())) {
                        keys.forget(authorization);
                        // an expired key is told so, as on every other endpoint; any other status is just invalid
                        throw "expired".equals(view.keyStatus()) ? KeyResolver.expired() : KeyResolver.unauthorized();
                    }
                    if (!view.exists()) {
                        throw ProblemException.unavailable("the account's state is not available yet");
                    }
                    Buffer json = Balance.json(caller.accountId(), view.accountStatus(), view.balanceMicros(),
                            view.heldMicros(), view.thresholdMicros());
                    return json != null ? json : (Object) Balance.of(caller.accountId(), view);
                }))
                .onComplete(result -> {
                    if (result.failed()) {
                        replies.failure(ctx, result.cause());
                        return;
                    }
                    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
                    if (result.result() instanceof Buffer json) {
                        replies.raw(ctx, 200, Replies.JSON, json);
                    } else {
                        replies.json(ctx, 200, result.result());
                    }
                });
    }

    public void usage(RoutingContext ctx) {
        UsageQuery query;
        try {
            query = UsageQuery.of(ctx.queryParams().get("from"), ctx.queryParams().get("to"),
                    ctx.queryParams().get("groupBy"), usage.maxDays());
        } catch (ProblemException e) {
            keys.resolve(KeyResolver.presented(ctx.request())).subscribe()
                    .with(caller -> replies.problem(ctx, e.problem()), failure -> replies.failure(ctx, failure));
            return;
        }
        keys.resolve(KeyResolver.presented(ctx.request()))
                .flatMap(caller -> usage.summary(caller.accountId(), query))
                .subscribe().with(json -> {
                    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=60");
                    replies.raw(ctx, 200, Replies.JSON, Buffer.buffer(json));
                }, failure -> replies.failure(ctx, failure));
    }
}
