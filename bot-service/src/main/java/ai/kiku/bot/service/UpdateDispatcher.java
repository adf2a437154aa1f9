package ai.kiku.bot.service;

import ai.kiku.bot.config.TelegramConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Worker pool behind the webhook, so that Telegram gets its 200 at once. One single-threaded
 * stripe per worker, chosen by chat, keeps a chat's updates in order.
 */
@ApplicationScoped
public class UpdateDispatcher {

    private final ThreadPoolExecutor[] stripes;

    public UpdateDispatcher(TelegramConfig config) {
        int workers = Math.max(1, config.workers());
        AtomicInteger seq = new AtomicInteger();
        stripes = new ThreadPoolExecutor[workers];
        for (int i = 0; i < workers; i++) {
            stripes[i] = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(Math.max(1, config.queuePerWorker())), r -> {
                        Thread t = new Thread(r, "bot-update-" + seq.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
        }
    }

    /** False when the stripe's queue is full (or shutting down): the caller should let Telegram retry. */
    public boolean submit(long chatKey, Runnable work) {
        try {
            stripes[(int) Math.floorMod(chatKey, (long) stripes.length)].execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @PreDestroy
    void drain() {
        for (ThreadPoolExecutor stripe : stripes) {
            stripe.shutdown();
        }
        for (ThreadPoolExecutor stripe : stripes) {
            try {
                stripe.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
