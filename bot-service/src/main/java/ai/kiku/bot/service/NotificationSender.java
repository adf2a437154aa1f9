package ai.kiku.bot.service;

import ai.kiku.bot.client.TelegramFailure;
import ai.kiku.bot.config.NotifyConfig;
import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.repository.ProfileCache;
import ai.kiku.bot.repository.TelegramUsers;
import ai.kiku.common.events.NotifyEvent;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.UUID;

/**
 * Sends one event to its user at most once across redeliveries and replicas: a lease
 * ({@code SET kiku:bot:notified:<id> sending:<uuid> NX PX}) before the send, {@code sent} after it.
 * A send that failed gives the lease back so that the redelivery retries; a sender that crashed
 * mid-send loses its lease when it lapses.
 */
@ApplicationScoped
public class NotificationSender {

    /** What the consumer should do with the stream entry. */
    public enum Outcome { SENT, DUPLICATE, DROPPED, RETRY_LATER }

    private static final Logger LOG = Logger.getLogger(NotificationSender.class);
    private static final String SENT = "sent";
    private static final String RELEASE_IF_OURS =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    private final RedisDataSource redis;
    private final Replies replies;
    private final TelegramUsers users;
    private final ProfileCache profiles;
    private final SendPacer pacer;
    private final String leaseMs;
    private final String rememberMs;

    public NotificationSender(RedisDataSource redis, Replies replies, TelegramUsers users, ProfileCache profiles,
                              SendPacer pacer, NotifyConfig config) {
        this.redis = redis;
        this.replies = replies;
        this.users = users;
        this.profiles = profiles;
        this.pacer = pacer;
        this.leaseMs = Long.toString(Math.max(1, config.sendLease().toMillis()));
        this.rememberMs = Long.toString(Math.max(1, config.dedupeTtl().toMillis()));
    }

    public static String key(String eventId) {
        return "kiku:bot:notified:" + eventId;
    }

    public Outcome deliver(NotifyEvent event) {
        if (event.id() == null || event.id().isBlank() || event.telegramUserId() <= 0) {
            LOG.warnf("notify event %s of account %d has no id or Telegram user; dropped", event.id(),
                    event.accountId());
            return Outcome.DROPPED;
        }
        // every event says the account changed (money, keys, status): the cached profile is stale
        profiles.invalidate(event.telegramUserId());
        if (users.blocked(event.telegramUserId())) {
            return Outcome.DROPPED; // they blocked the bot: no more sends until they write to it again
        }
        String key = key(event.id());
        String lease = "sending:" + UUID.randomUUID();
        Response taken = redis.execute("SET", key, lease, "NX", "PX", leaseMs);
        if (taken == null || !"OK".equals(taken.toString())) {
            Response current = redis.execute("GET", key);
            String state = current == null ? null : current.toString();
            if (state == null) {
                return Outcome.RETRY_LATER; // the lease lapsed just now; the redelivery will take it
            }
            return state.startsWith("sending:") ? Outcome.RETRY_LATER : Outcome.DUPLICATE;
        }
        try {
            pacer.acquire(event.telegramUserId());
            Lang lang = users.language(event.telegramUserId()).orElse(Lang.EN);
            replies.send(event.telegramUserId(), NotificationTexts.of(event, lang));
        } catch (TelegramFailure e) {
            if (e.permanent()) {
                if (e.errorCode() == 403) {
                    users.setBlocked(event.telegramUserId(), true);
                }
                // Blocked bot, deleted chat: retrying cannot help; remember it as done.
                LOG.warnf("notify event %s not deliverable, dropped: %s", event.id(), e.getMessage());
                redis.execute("SET", key, "dropped", "PX", rememberMs);
                return Outcome.DROPPED;
            }
            LOG.warnf("notify event %s not sent yet: %s", event.id(), e.getMessage());
            redis.execute("EVAL", RELEASE_IF_OURS, "1", key, lease);
            return Outcome.RETRY_LATER;
        }
        redis.execute("SET", key, SENT, "PX", rememberMs);
        return Outcome.SENT;
    }
}
