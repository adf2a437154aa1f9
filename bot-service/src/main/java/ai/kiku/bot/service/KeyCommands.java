package ai.kiku.bot.service;

import ai.kiku.bot.client.Backend;
import ai.kiku.bot.config.BotConfig;
import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.ApiKey;
import ai.kiku.common.contract.UsageReport;
import com.pengrad.telegrambot.model.request.InlineKeyboardMarkup;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static ai.kiku.bot.service.Texts.html;
import static ai.kiku.bot.service.Texts.usd;

/**
 * /keys, /newkey and /revoke (with its confirmation buttons). The plaintext of a key is shown once, in the
 * reply to /newkey, and never logged.
 */
@ApplicationScoped
public class KeyCommands {

    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} _.:-]{0,39}");
    private static final Pattern KEY_ID = Pattern.compile("#?(\\d{1,18})");
    /** The spend shown per key covers this many days (billing's usage report, grouped by key). */
    static final int SPEND_DAYS = 30;
    private static final int MAX_BUTTONS = 10;

    private final Backend backend;
    private final AccountCommands accounts;
    private final Profiles profiles;
    private final Replies replies;
    private final String apiUrl;
    private final Clock clock = Clock.systemUTC();

    public KeyCommands(Backend backend, AccountCommands accounts, Profiles profiles, Replies replies, BotConfig config) {
        this.backend = backend;
        this.accounts = accounts;
        this.profiles = profiles;
        this.replies = replies;
        this.apiUrl = config.publicApiUrl().replaceAll("/+$", "");
    }

    public void list(Chat chat) {
        Optional<AccountView> account = accounts.account(chat);
        if (account.isEmpty()) {
            return;
        }
        long accountId = account.get().accountId();
        List<ApiKey> keys = backend.keys(accountId);
        if (keys.isEmpty()) {
            replies.send(chat.chatId(), chat.t("keys.none"));
            return;
        }
        Instant now = clock.instant();
        Map<String, Long> spend = new HashMap<>();
        UsageReport byKey = backend.usage(accountId, now.minus(Duration.ofDays(SPEND_DAYS)), now, "key");
        if (byKey.breakdown() != null) {
            byKey.breakdown().forEach(r -> spend.put(r.group(), r.costMicros()));
        }
        StringBuilder text = new StringBuilder(chat.t("keys.title", "days", SPEND_DAYS)).append('\n');
        InlineKeyboardMarkup keyboard = new InlineKeyboardMarkup();
        int buttons = 0;
        for (ApiKey key : keys) {
            text.append('\n').append(chat.t("keys.line", "id", key.keyId(), "name", html(key.name()),
                    "prefix", html(key.prefix()), "status", chat.t("key.status." + status(key)),
                    "lastUsed", key.lastUsedAt() == null ? chat.t("keys.never_used") : Texts.dateTime(key.lastUsedAt()),
                    "spent", usd(spend.getOrDefault(Long.toString(key.keyId()), 0L))));
            if (ApiKey.ACTIVE.equals(key.status()) && buttons < MAX_BUTTONS) {
                keyboard.addRow(Menus.button(chat.t("button.revoke_key", "id", key.keyId()),
                        Menus.REVOKE_ASK + key.keyId()));
                buttons++;
            }
        }
        text.append("\n\n").append(chat.t("keys.footer"));
        replies.send(chat.chatId(), text.toString(), buttons == 0 ? null : keyboard);
    }

    public void create(Chat chat, String args) {
        String name = args.strip();
        if (!NAME.matcher(name).matches()) {
            replies.send(chat.chatId(), chat.t("newkey.usage"));
            return;
        }
        Optional<AccountView> account = accounts.account(chat);
        if (account.isEmpty()) {
            return;
        }
        ApiKey key = backend.createKey(account.get().accountId(), name);
        profiles.changed(chat.userId());
        replies.send(chat.chatId(), chat.t("newkey.created", "id", key.keyId(), "name", html(key.name()),
                "key", html(key.key())) + "\n\n" + chat.t("newkey.how", "baseUrl", html(apiUrl))
                + "\n\n" + Snippets.all(apiUrl, exampleModel()) + "\n\n" + chat.t("newkey.lost", "id", key.keyId()));
    }

    public void revoke(Chat chat, String args) {
        var matcher = KEY_ID.matcher(args.strip());
        if (!matcher.matches()) {
            replies.send(chat.chatId(), chat.t("revoke.usage"));
            return;
        }
        askRevoke(chat, Long.parseLong(matcher.group(1)));
    }

    /** Asks before revoking: the key's name and two buttons. */
    public void askRevoke(Chat chat, long keyId) {
        Optional<AccountView> account = accounts.account(chat);
        if (account.isEmpty()) {
            return;
        }
        Optional<ApiKey> key = find(account.get().accountId(), keyId);
        if (key.isEmpty()) {
            replies.send(chat.chatId(), chat.t("revoke.no_key", "id", keyId));
        } else if (!ApiKey.ACTIVE.equals(key.get().status())) {
            replies.send(chat.chatId(), chat.t("revoke.already", "id", keyId, "name", html(key.get().name())));
        } else {
            replies.send(chat.chatId(), chat.t("revoke.confirm", "id", keyId, "name", html(key.get().name())),
                    Menus.revokeConfirm(chat.lang(), keyId));
        }
    }

    /** The confirm button; pressed twice (or after another revoke) it says the key is already revoked. */
    public void confirmRevoke(Chat chat, String callbackQueryId, long keyId) {
        Optional<AccountView> account = profiles.account(chat.userId());
        Optional<ApiKey> key = account.flatMap(a -> find(a.accountId(), keyId));
        if (key.isEmpty()) {
            replies.answerCallback(callbackQueryId, chat.t("revoke.no_key", "id", keyId));
            return;
        }
        if (!ApiKey.ACTIVE.equals(key.get().status())) {
            replies.answerCallback(callbackQueryId, chat.t("revoke.already_short", "id", keyId));
            return;
        }
        Optional<ApiKey> revoked = backend.revokeKey(account.get().accountId(), keyId);
        profiles.changed(chat.userId());
        replies.answerCallback(callbackQueryId, chat.t("revoke.done_short", "id", keyId));
        replies.send(chat.chatId(), revoked.map(k -> chat.t("revoke.done", "id", keyId, "name", html(k.name())))
                .orElse(chat.t("revoke.no_key", "id", keyId)));
    }

    public void cancelRevoke(Chat chat, String callbackQueryId, long keyId) {
        replies.answerCallback(callbackQueryId, chat.t("revoke.cancelled", "id", keyId));
        replies.send(chat.chatId(), chat.t("revoke.cancelled", "id", keyId));
    }

    /** A model of the catalogue for the snippets (the first one billing lists). */
    private String exampleModel() {
        var models = backend.catalogue().models();
        return models == null || models.isEmpty() || models.get(0).model() == null ? "local-echo"
                : models.get(0).model();
    }

    private Optional<ApiKey> find(long accountId, long keyId) {
        return backend.keys(accountId).stream().filter(k -> k.keyId() == keyId).findFirst();
    }

    private static String status(ApiKey key) {
        return ApiKey.ACTIVE.equals(key.status()) ? "active" : ApiKey.REVOKED.equals(key.status()) ? "revoked" : "other";
    }
}
