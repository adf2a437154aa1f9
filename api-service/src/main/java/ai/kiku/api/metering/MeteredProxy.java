package ai.kiku.api.metering;

import ai.kiku.api.http.Replies;
import ai.kiku.api.provider.ChatCall;
import ai.kiku.api.provider.ProviderFailure;
import ai.kiku.api.provider.Route;
import ai.kiku.api.provider.UpstreamReply;
import ai.kiku.api.config.ApiConfig;
import ai.kiku.api.service.ApiMetrics;
import ai.kiku.api.service.ChatRequest;
import ai.kiku.common.error.Problem;
import ai.kiku.common.money.Micros;
import ai.kiku.api.redis.HotPath;
import ai.kiku.api.redis.OrderedWrites;
import ai.kiku.common.money.HoldExtender;
import ai.kiku.common.money.MoneyConfig;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.common.money.SettleResult;
import ai.kiku.common.money.Usage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Runs a reserved call: tries the model's providers in order (falling over while nothing has
 * reached the client), settles the hold to the real cost of the one that answered, or releases it
 * when none could. The hold is the request id, so a retried settle or release is a no-op. Reported
 * usage is charged only up to what the request allows ({@link UsageBounds}); the hold is kept open
 * while the call runs and the call is cut at the maximum duration ({@link HoldKeeper}).
 */
@ApplicationScoped
public class MeteredProxy {

    private static final Logger LOG = Logger.getLogger(MeteredProxy.class);

    private final MoneyCore money;
    private final OrderedWrites ordered;
    private final ApiMetrics metrics;
    private final Replies replies;
    private final ObjectMapper mapper;
    private final HoldExtender extender;
    private final MoneyConfig moneyConfig;
    private final ApiConfig config;
    private final InFlightHolds holds;

    public MeteredProxy(@HotPath MoneyCore money, @HotPath Redis hotRedis, ApiMetrics metrics, Replies replies,
                        ObjectMapper mapper, MoneyConfig moneyConfig, ApiConfig config, InFlightHolds holds) {
        this.money = money;
        this.holds = holds;
        this.ordered = hotRedis.getDelegate() instanceof OrderedWrites writes ? writes : () -> false;
        this.metrics = metrics;
        this.replies = replies;
        this.mapper = mapper;
        this.extender = new HoldExtender(hotRedis);
        this.moneyConfig = moneyConfig;
        this.config = config;
    }

    /** The keeper of a call's hold (started by {@link #run}). */
    HoldKeeper keeper(RoutingContext ctx, long accountId, String holdId) {
        return new HoldKeeper(ctx.vertx(), extender, holds, accountId, holdId, moneyConfig.holdTtl(), config.maxStreamDuration());
    }

    void run(MeteredCall call) {
        call.keeper().start(() -> cutWaiting(call));
        attempt(call, 0, null);
    }

    ApiMetrics metrics() {
        return metrics;
    }

    private void attempt(MeteredCall call, int index, Throwable last) {
        ChatRequest request = call.request();
        if (index >= request.routes().size() || call.ctx().response().closed()) {
            giveUp(call, last);
            return;
        }
        Route route = request.routes().get(index);
        call.keeper().cutBy(() -> cutWaiting(call));
        request.body().put("model", route.upstreamModel());
        if (request.sendOutputCap()) {
            // the client set no cap: this one keeps the upstream within what was reserved
            request.body().remove("max_tokens");
            request.body().remove("max_completion_tokens");
            request.body().put(request.endpoint().outputCapField(route.provider()), request.outputCap());
        }
        ChatCall attemptCall = new ChatCall(call.requestId(), request.body(), request.stream(), request.endpoint());
        route.provider().send(attemptCall).subscribe().with(
                reply -> answered(call, index, route, reply),
                failure -> {
                    LOG.debugf("request %s: provider %s failed: %s", call.requestId(), route.provider().name(), failure);
                    attempt(call, index + 1, failure);
                });
    }

    private void answered(MeteredCall call, int index, Route route, UpstreamReply reply) {
        if (reply.ok() && reply.stream() != null) {
            if (call.keeper().finished()) {
                StreamRelay.abandon(reply.stream()); // cut at the maximum duration meanwhile, and charged then
                return;
            }
            new StreamRelay(this, mapper, call, route, reply.stream(),
                    failure -> attempt(call, index + 1, failure)).start();
            return;
        }
        if (!call.keeper().finish()) {
            return; // cut at the maximum duration meanwhile, and charged then
        }
        if (!reply.ok()) {
            rejected(call, route, reply);
            return;
        }
        ObjectNode json = reply.json();
        JsonNode usage = json.get("usage");
        UsageBounds.Tokens tokens;
        if (usage != null && usage.isObject()) {
            tokens = bounded(call, route, usage);
        } else {
            tokens = UsageBounds.estimated(call.request(), call.request().endpoint().answerOutputTokens(json));
            LOG.infof("request %s: no usage reported by %s; charging the estimate", call.requestId(),
                    route.provider().name());
        }
        long in = tokens.in();
        long out = tokens.out();
        if (answersBehindSettle(call)) {
            answerWhileSettling(call, route, reply, in, out);
            return;
        }
        settle(call, in, out).subscribe().with(settled -> respond(call, route, reply, settled, in, out), failure -> {
            settleFailed(call, failure);
            replies.problem(call.ctx(), new Problem("https://kiku.ai/problems/unavailable", "Service unavailable", 503,
                    "the charge could not be recorded, so the answer is withheld; you were not charged"));
        });
    }

    private void respond(MeteredCall call, Route route, UpstreamReply reply, SettleResult settled, long in, long out) {
        if (!call.ownShape()) {
            respondOpenAi(call, route, reply, settled.chargedMicros(), in, out);
            return;
        }
        // only our shape reports the balance left: the OpenAI shape usually answers before it is known
        call.ctx().response().putHeader("X-Kiku-Provider", route.provider().name())
                .putHeader("X-Kiku-Cost-Micros", Long.toString(settled.chargedMicros()))
                .putHeader("X-Kiku-Balance-Micros", Long.toString(settled.balanceMicros()));
        ObjectNode json = reply.json();
        CostField.addTo(json, settled.chargedMicros(), in, out);
        json.put("provider", route.provider().name()).put("requestId", call.requestId())
                .put("costMicros", settled.chargedMicros()).put("cost", Micros.format(settled.chargedMicros()))
                .put("balanceMicros", settled.balanceMicros()).put("balance", Micros.format(settled.balanceMicros()));
        replies.json(call.ctx(), 200, json);
    }

    private void respondOpenAi(MeteredCall call, Route route, UpstreamReply reply, long chargedMicros, long in, long out) {
        call.ctx().response().putHeader("X-Kiku-Provider", route.provider().name())
                .putHeader("X-Kiku-Cost-Micros", Long.toString(chargedMicros));
        Buffer raw = reply.raw() == null ? null : CostField.splice(reply.raw(), chargedMicros, in, out);
        if (raw != null) {
            replies.raw(call.ctx(), 200, Replies.JSON, raw);
        } else {
            CostField.addTo(reply.json(), chargedMicros, in, out);
            replies.json(call.ctx(), 200, reply.json());
        }
    }

    private void answerWhileSettling(MeteredCall call, Route route, UpstreamReply reply, long in, long out) {
        long cost = cost(call.request(), in, out);
        settleAhead(call, in, out, () -> respondOpenAi(call, route, reply, cost, in, out));
    }

    /**
     * Sends the settle and queues {@code answer} behind it on this event loop, without waiting for
     * the reply: the charge is known before Redis answers (settling an open hold charges exactly
     * {@link #cost}), and {@link OrderedWrites} (checked by {@link #answersBehindSettle}) makes sure
     * the settle leaves for Redis before the queued answer runs, with its script cached, so the
     * client cannot read a balance without the charge. A settle that still fails (after its
     * idempotent retries) is logged and counted; its hold expires uncharged, which errs for the
     * client, never against. Used for whole answers and for the end of streams.
     */
    void settleAhead(MeteredCall call, long in, long out, Runnable answer) {
        settle(call, in, out).subscribe().with(settled -> { }, failure -> settleFailed(call, failure));
        call.ctx().vertx().runOnContext(v -> answer.run());
    }

    /**
     * What settling an open hold charges: the cost of the (bounded) tokens, in exact arithmetic.
     * Token counts are capped at the bounds the reservation priced, so this never exceeds the hold;
     * it is not clamped to it here: should it ever, the money core charges the overage, it is not
     * silently absorbed.
     */
    static long cost(ChatRequest request, long inputTokens, long outputTokens) {
        return request.price().cost(inputTokens, outputTokens);
    }

    /** Reported usage, each count capped at what the request allows; a count beyond it is logged and counted. */
    UsageBounds.Tokens bounded(MeteredCall call, Route route, JsonNode usage) {
        return UsageBounds.charged(call, route.provider().name(), usage, metrics);
    }

    /**
     * The maximum duration passed before any answer: the provider bills the call anyway, so the
     * reservation is charged, and the client gets a 504.
     */
    private void cutWaiting(MeteredCall call) {
        if (!call.keeper().finish()) {
            return;
        }
        LOG.warnf("request %s: no answer from the upstream within %d ms; cut and charged the reservation",
                call.requestId(), call.keeper().maxMillis());
        UsageBounds.Tokens worst = UsageBounds.worstCase(call.request());
        Problem problem = new Problem("https://kiku.ai/problems/upstream-timeout", "Upstream too slow", 504,
                "the call ran longer than this gateway's maximum of " + call.keeper().maxMillis() / 1000
                        + " s and was cut; the provider bills it, so the reservation was charged");
        settle(call, worst.in(), worst.out()).subscribe().with(settled -> replies.problem(call.ctx(), problem),
                failure -> {
                    settleFailed(call, failure);
                    replies.problem(call.ctx(), problem);
                });
    }

    /** Whether an answer may be queued behind its settle instead of waiting for the reply. */
    boolean answersBehindSettle(MeteredCall call) {
        return !call.ownShape() && ordered.now();
    }

    /** Charges the cost of the (bounded) tokens and records the usage in the same step. */
    Uni<SettleResult> settle(MeteredCall call, long inputTokens, long outputTokens) {
        ChatRequest request = call.request();
        long cost = cost(request, inputTokens, outputTokens);
        Usage usage = new Usage(call.caller().keyId(), request.price().productId(), request.model(),
                inputTokens, outputTokens);
        return holds.tracked(() -> money.settle(call.caller().accountId(), call.requestId(), cost, usage))
                .invoke(settled -> metrics.charged(settled.chargedMicros()));
    }

    void settleFailed(MeteredCall call, Throwable failure) {
        metrics.settleFailed();
        LOG.errorf("request %s: settle failed (%s); the hold expires uncharged", call.requestId(), failure.toString());
    }

    private void rejected(MeteredCall call, Route route, UpstreamReply reply) {
        int status = reply.status() == 413 ? 413 : 400;
        Problem problem = new Problem("https://kiku.ai/problems/upstream-rejected", "Rejected by the model provider",
                status, "the provider refused the request; you were not charged")
                .with("provider", route.provider().name()).with("upstreamStatus", reply.status());
        String message = upstreamMessage(reply.raw());
        if (message != null) {
            problem.with("upstreamMessage", message);
        }
        release(call, () -> replies.problem(call.ctx(), problem));
    }

    private void giveUp(MeteredCall call, Throwable last) {
        if (!call.keeper().finish()) {
            return;
        }
        boolean circuitsOpen = last != null && last.getClass().getSimpleName().contains("CircuitBreakerOpen");
        ProviderFailure limited = last instanceof ProviderFailure failure && failure.rateLimited() ? failure : null;
        int status = circuitsOpen || limited != null ? 503 : 502;
        LOG.warnf("request %s: no provider could serve model %s (last: %s)", call.requestId(), call.request().model(),
                last == null ? "client left" : last.toString());
        Problem problem = limited != null
                ? new Problem("https://kiku.ai/problems/upstream-rate-limited", "Providers rate-limited", 503,
                        "the providers of model '" + call.request().model() + "' are limiting our rate right now; "
                                + "you were not charged")
                : new Problem("https://kiku.ai/problems/upstream-unavailable", "No provider available", status,
                        "no provider could serve model '" + call.request().model() + "' right now; you were not charged");
        if (status == 503) {
            long retry = limited != null && limited.retryAfterSeconds() >= 0 ? Math.max(1, limited.retryAfterSeconds())
                    : limited != null ? 1 : 30;
            call.ctx().response().putHeader("Retry-After", Long.toString(retry));
        }
        release(call, () -> replies.problem(call.ctx(), problem));
    }

    /** Releases the hold, then answers (so a client that got its error sees its money back). */
    private void release(MeteredCall call, Runnable then) {
        holds.tracked(() -> money.release(call.caller().accountId(), call.requestId())).subscribe().with(released -> then.run(),
                failure -> {
                    LOG.warnf("request %s: release failed (%s); the hold will expire", call.requestId(),
                            failure.toString());
                    then.run();
                });
    }

    private String upstreamMessage(Buffer body) {
        if (body == null || body.length() == 0) {
            return null;
        }
        try {
            JsonNode node = mapper.readTree(body.getBytes());
            String message = node.path("error").path("message").asText(node.path("message").asText(null));
            return message == null ? null : message.length() > 500 ? message.substring(0, 500) : message;
        } catch (Exception e) {
            return null;
        }
    }
}
