package ai.kiku.api.rest;

import ai.kiku.api.http.Replies;
import ai.kiku.api.service.ApiCaller;
import ai.kiku.api.service.KeyResolver;
import ai.kiku.api.service.UsageRecordService;
import ai.kiku.common.contract.UsageRecordPage;
import ai.kiku.common.contract.UsageRecordQuery;
import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/usage/requests} (a page of per-request records, as billing answers it) and
 * {@code GET /api/v1/usage/export?format=csv} (every record of the query as CSV, streamed page by page from
 * billing: one page in memory at a time, the next asked for only once the client took the previous one).
 */
@ApplicationScoped
public class UsageRecordHandlers {

    private static final Logger LOG = Logger.getLogger(UsageRecordHandlers.class);
    private static final String EXPORT_PAGE = Integer.toString(UsageRecordQuery.MAX_LIMIT);

    private final KeyResolver keys;
    private final UsageRecordService records;
    private final ObjectMapper mapper;
    private final Replies replies;

    public UsageRecordHandlers(KeyResolver keys, UsageRecordService records, ObjectMapper mapper, Replies replies) {
        this.keys = keys;
        this.records = records;
        this.mapper = mapper;
        this.replies = replies;
    }

    public void list(RoutingContext ctx) {
        MultiMap p = ctx.queryParams();
        UsageRecordQuery query;
        try {
            query = UsageRecordQuery.of(p.get("key"), p.get("model"), p.get("from"), p.get("to"), p.get("cursor"),
                    p.get("limit"));
        } catch (ProblemException e) {
            refuseAuthenticated(ctx, e);
            return;
        }
        authenticate(ctx).flatMap(caller -> records.page(caller.accountId(), query))
                .subscribe().with(json -> {
                    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
                    replies.raw(ctx, 200, Replies.JSON, Buffer.buffer(json));
                }, failure -> replies.failure(ctx, failure));
    }

    public void export(RoutingContext ctx) {
        MultiMap p = ctx.queryParams();
        UsageRecordQuery query;
        try {
            String format = p.get("format");
            if (format != null && !format.isBlank() && !"csv".equalsIgnoreCase(format.strip())) {
                throw ProblemException.badRequest("format", "format must be csv");
            }
            query = UsageRecordQuery.of(p.get("key"), p.get("model"), p.get("from"), p.get("to"), null, EXPORT_PAGE);
        } catch (ProblemException e) {
            refuseAuthenticated(ctx, e);
            return;
        }
        authenticate(ctx).flatMap(caller -> fetch(caller.accountId(), query).map(page -> {
            HttpServerResponse response = ctx.response();
            response.setChunked(true).setStatusCode(200)
                    .putHeader(HttpHeaders.CONTENT_TYPE, UsageCsv.CONTENT_TYPE)
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .putHeader("Content-Disposition", "attachment; filename=\"usage-" + caller.accountId() + ".csv\"");
            response.write(UsageCsv.HEADER);
            write(ctx, caller.accountId(), query, page);
            return page;
        })).subscribe().with(page -> { }, failure -> replies.failure(ctx, failure));
    }

    /** Writes one page and, once the client has taken it, asks billing for the next; ends after the last. */
    private void write(RoutingContext ctx, long accountId, UsageRecordQuery query, UsageRecordPage page) {
        HttpServerResponse response = ctx.response();
        if (response.closed()) {
            return;
        }
        if (!page.records().isEmpty()) {
            response.write(UsageCsv.rows(page.records()));
        }
        if (page.nextCursor() == null) {
            response.end();
            return;
        }
        Runnable next = () -> fetch(accountId, query.after(UsageRecordQuery.Cursor.decode(page.nextCursor())))
                .subscribe().with(more -> write(ctx, accountId, query, more), failure -> {
                    // the status line is out: cut the connection so that the client sees an incomplete download
                    LOG.warnf("usage export for account %d failed mid-stream: %s", accountId, failure.toString());
                    response.reset();
                });
        if (response.writeQueueFull()) {
            response.drainHandler(v -> {
                response.drainHandler(null);
                next.run();
            });
        } else {
            next.run();
        }
    }

    private Uni<UsageRecordPage> fetch(long accountId, UsageRecordQuery query) {
        return records.page(accountId, query).map(json -> {
            try {
                return mapper.readValue(json, UsageRecordPage.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private Uni<ApiCaller> authenticate(RoutingContext ctx) {
        return keys.resolve(KeyResolver.presented(ctx.request()));
    }

    /** A bad parameter is answered 400 only to a caller with a valid key (401 otherwise, as everywhere). */
    private void refuseAuthenticated(RoutingContext ctx, ProblemException problem) {
        authenticate(ctx).subscribe().with(caller -> replies.problem(ctx, problem.problem()),
                failure -> replies.failure(ctx, failure));
    }
}
