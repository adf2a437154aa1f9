package ai.kiku.bot.service;

import ai.kiku.bot.client.Backend;
import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.ApiKey;
import ai.kiku.common.contract.Catalogue;
import ai.kiku.common.contract.InternalRequests.UpdateKey;
import ai.kiku.common.contract.KeyControls;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static ai.kiku.bot.service.Texts.count;
import static ai.kiku.bot.service.Texts.html;
import static ai.kiku.bot.service.Texts.usd;

/**
 * /keycap, /keymonthly, /keymodels, /keyexpiry and /keytpm (and the limits button of /keys): a key's own limits
 * (docs/key-controls.md), set or lifted through billing's PATCH of the key. The bot checks what it can say
 * politely (its own key, an exact amount, a model of the catalogue, a future date); billing's bounds stay
 * billing's, and its 400 is relayed.
 */
@ApplicationScoped
public class KeyControlCommands {

    static final int MAX_TOKENS_PER_MINUTE = 1_000_000_000;

    private static final Pattern ARGS = Pattern.compile("#?(\\d{1,18})\\s+(\\S.*)");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern TOKENS = Pattern.compile("\\d{1,10}");
    private static final Pattern MODEL_SEPARATOR = Pattern.compile("[,\\s]+");

    private final Backend backend;
    private final AccountCommands accounts;
    private final Replies replies;
    private final Clock clock = Clock.systemUTC();

    public KeyControlCommands(Backend backend, AccountCommands accounts, Replies replies) {
        this.backend = backend;
        this.accounts = accounts;
        this.replies = replies;
    }

    /** {@code command}: /keycap, /keymonthly, /keymodels, /keyexpiry or /keytpm; {@code args}: "keyId value". */
    public void run(Chat chat, String command, String args) {
        String name = command.substring(1);
        Matcher m = ARGS.matcher(args);
        if (!m.matches()) {
            replies.send(chat.chatId(), chat.t("keyctl.usage." + name));
            return;
        }
        long keyId = Long.parseLong(m.group(1));
        UpdateKey change;
        try {
            change = change(name, m.group(2).strip());
        } catch (BadValue e) {
            replies.send(chat.chatId(), chat.t(e.messageKey, e.args) + "\n" + chat.t("keyctl.usage." + name));
            return;
        }
        Optional<AccountView> account = accounts.account(chat);
        if (account.isEmpty()) {
            return;
        }
        long accountId = account.get().accountId();
        if (activeKey(chat, accountId, keyId).isEmpty()) {
            return;
        }
        Optional<ApiKey> updated = backend.updateKey(accountId, keyId, change);
        replies.send(chat.chatId(), updated.map(k -> chat.t("keyctl.done", "id", keyId, "name", html(k.name()),
                "controls", describe(chat, k.controlsOrNone()))).orElse(chat.t("revoke.no_key", "id", keyId)));
    }

    /** The limits button of /keys: the key's limits and the commands that change them, its id filled in. */
    public void show(Chat chat, long keyId) {
        Optional<AccountView> account = accounts.account(chat);
        if (account.isEmpty()) {
            return;
        }
        activeKey(chat, account.get().accountId(), keyId).ifPresent(key -> replies.send(chat.chatId(),
                chat.t("keyctl.show", "id", keyId, "name", html(key.name()),
                        "controls", describe(chat, key.controlsOrNone()))));
    }

    /** The user's own active key, or empty once the user has been told why not. */
    private Optional<ApiKey> activeKey(Chat chat, long accountId, long keyId) {
        Optional<ApiKey> key = backend.keys(accountId).stream().filter(k -> k.keyId() == keyId).findFirst();
        if (key.isEmpty()) {
            replies.send(chat.chatId(), chat.t("revoke.no_key", "id", keyId));
            return Optional.empty();
        }
        if (!ApiKey.ACTIVE.equals(key.get().status())) {
            replies.send(chat.chatId(), chat.t("keyctl.revoked", "id", keyId, "name", html(key.get().name())));
            return Optional.empty();
        }
        return key;
    }

    /** A key's limits on one line ("total cap $5.00 · models local-echo"), or "no limits". */
    public static String describe(Chat chat, KeyControls controls) {
        List<String> parts = new ArrayList<>();
        if (controls.spendCapMicros() != null) {
            parts.add(chat.t("keys.ctl.cap", "amount", usd(controls.spendCapMicros())));
        }
        if (controls.monthlySpendCapMicros() != null) {
            parts.add(chat.t("keys.ctl.monthly", "amount", usd(controls.monthlySpendCapMicros())));
        }
        if (controls.allowedModels() != null) {
            parts.add(chat.t("keys.ctl.models", "models", html(String.join(", ", controls.allowedModels()))));
        }
        if (controls.expiresAt() != null) {
            parts.add(chat.t("keys.ctl.expires", "date", Texts.dateTime(controls.expiresAt())));
        }
        if (controls.tokensPerMinute() != null) {
            parts.add(chat.t("keys.ctl.tpm", "tokens", count(controls.tokensPerMinute())));
        }
        return parts.isEmpty() ? chat.t("keyctl.none") : String.join(" · ", parts);
    }

    private UpdateKey change(String command, String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        return switch (command) {
            case "keycap" -> "off".equals(lower) ? clear("spendCapMicros")
                    : new UpdateKey(micros(value), null, null, null, null, null);
            case "keymonthly" -> "off".equals(lower) ? clear("monthlySpendCapMicros")
                    : new UpdateKey(null, micros(value), null, null, null, null);
            case "keymodels" -> "all".equals(lower) ? clear("allowedModels")
                    : new UpdateKey(null, null, models(value), null, null, null);
            case "keyexpiry" -> "never".equals(lower) ? clear("expiresAt")
                    : new UpdateKey(null, null, null, expiry(value), null, null);
            case "keytpm" -> "off".equals(lower) ? clear("tokensPerMinute")
                    : new UpdateKey(null, null, null, null, tokens(value), null);
            default -> throw new IllegalArgumentException(command);
        };
    }

    private static UpdateKey clear(String field) {
        return new UpdateKey(null, null, null, null, null, List.of(field));
    }

    /** Exact, as /alert parses; the upper bound is billing's (a 400 naming it). */
    private static long micros(String value) {
        Long micros = AlertCommands.parseMicros(value, Long.MAX_VALUE);
        if (micros == null) {
            throw new BadValue("keyctl.bad_amount");
        }
        return micros;
    }

    private List<String> models(String value) {
        Set<String> offered = new LinkedHashSet<>();
        Catalogue catalogue = backend.catalogue();
        if (catalogue.models() != null) {
            catalogue.models().forEach(m -> offered.add(m.model()));
        }
        Set<String> chosen = new LinkedHashSet<>();
        for (String model : MODEL_SEPARATOR.split(value)) {
            if (model.isEmpty()) {
                continue;
            }
            if (!offered.contains(model)) {
                throw new BadValue("keyctl.unknown_model", "model", html(model));
            }
            chosen.add(model);
        }
        if (chosen.isEmpty()) {
            throw new BadValue("keyctl.no_models");
        }
        return List.copyOf(chosen);
    }

    /** The key is refused from 00:00 UTC of the date, which must lie ahead. */
    private Instant expiry(String value) {
        if (!DATE.matcher(value).matches()) {
            throw new BadValue("keyctl.bad_date");
        }
        Instant at;
        try {
            at = LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadValue("keyctl.bad_date");
        }
        if (!at.isAfter(clock.instant())) {
            throw new BadValue("keyctl.past_date", "date", value);
        }
        return at;
    }

    private static int tokens(String value) {
        long tokens = TOKENS.matcher(value).matches() ? Long.parseLong(value) : 0;
        if (tokens < 1 || tokens > MAX_TOKENS_PER_MINUTE) {
            throw new BadValue("keyctl.bad_tpm");
        }
        return (int) tokens;
    }

    /** A value the bot cannot use: the message to say, with its arguments. */
    private static final class BadValue extends RuntimeException {

        private final String messageKey;
        private final transient Object[] args;

        BadValue(String messageKey, Object... args) {
            super(messageKey, null, false, false);
            this.messageKey = messageKey;
            this.args = args;
        }
    }
}
