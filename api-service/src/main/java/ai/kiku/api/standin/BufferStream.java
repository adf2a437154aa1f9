package ai.kiku.api.standin;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayDeque;
import java.util.List;

/**
 * A ReadStream over buffers already in memory, delivered on a Vert.x context and honouring
 * pause/resume: how the local provider streams with the same code path as a network upstream.
 */
final class BufferStream implements ReadStream<Buffer> {

    private final Context context;
    private final ArrayDeque<Buffer> items;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private long demand;
    private boolean scheduled;
    private boolean ended;

    BufferStream(Context context, List<Buffer> items) {
        this.context = context;
        this.items = new ArrayDeque<>(items);
        this.demand = 0;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        this.handler = handler;
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        demand = 0;
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        return fetch(Long.MAX_VALUE);
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        demand = amount == Long.MAX_VALUE || demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
        schedule();
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        this.endHandler = endHandler;
        return this;
    }

    private void schedule() {
        if (!scheduled && !ended) {
            scheduled = true;
            context.runOnContext(v -> drain());
        }
    }

    private void drain() {
        scheduled = false;
        while (demand > 0 && !items.isEmpty()) {
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            Buffer next = items.poll();
            if (handler != null) {
                handler.handle(next);
            }
        }
        if (items.isEmpty() && !ended) {
            ended = true;
            if (endHandler != null) {
                endHandler.handle(null);
            }
        }
    }
}
