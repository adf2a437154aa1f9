package ai.kiku.bot.service;

import ai.kiku.bot.client.Backend;
import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.ApiKey;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import static ai.kiku.bot.service.Texts.html;

/** /keys, /newkey and /revoke. The plaintext of a key is shown once, in the reply to /newkey, and never logged. */
@ApplicationScoped
public class KeyCommands {

    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} _.:-]{0,39}");
    private static final Pattern KEY_ID = Pattern.compile("#?(\\d{1,18})");

    private final Backend backend;
    private final Replies replies;

    public KeyCommands(Backend backend, Replies replies) {
        this.backend = backend;
        this.replies = replies;
    }

    public void list(Chat chat) {
        Optional<AccountView> account = backend.account(chat.userId());
        if (account.isEmpty()) {
            replies.send(chat.chatId(), AccountCommands.NO_ACCOUNT);
            return;
        }
        List<ApiKey> keys = backend.keys(account.get().accountId());
        if (keys.isEmpty()) {
            replies.send(chat.chatId(), "You have no API keys yet. Create one with /newkey &lt;name&gt;.");
            return;
        }
        StringBuilder text = new StringBuilder("Your API keys:\n");
        for (ApiKey key : keys) {
            text.append("\n#").append(key.keyId()).append(" <b>").append(html(key.name())).append("</b> <code>")
                    .append(html(key.prefix())).append("…</code> ").append(html(key.status()))
                    .append(", ").append(key.rateLimitPerMinute()).append(" req/min");
            if (key.lastUsedAt() != null) {
                text.append(", last used ").append(html(key.lastUsedAt().toString()));
            }
        }
        text.append("\n\nRevoke one with /revoke &lt;keyId&gt;.");
        replies.send(chat.chatId(), text.toString());
    }

    public void create(Chat chat, String args) {
        String name = args.strip();
        if (!NAME.matcher(name).matches()) {
            replies.send(chat.chatId(), "Usage: /newkey &lt;name&gt; — 1 to 40 letters, digits, spaces or "
                    + "<code>_ . : -</code>, e.g. <code>/newkey ci</code>");
            return;
        }
        Optional<AccountView> account = backend.account(chat.userId());
        if (account.isEmpty()) {
            replies.send(chat.chatId(), AccountCommands.NO_ACCOUNT);
            return;
        }
        ApiKey key = backend.createKey(account.get().accountId(), name);
        replies.send(chat.chatId(), "API key #" + key.keyId() + " <b>" + html(key.name()) + "</b> created:\n\n<code>"
                + html(key.key()) + "</code>\n\nCopy it now: it is shown only this once and cannot be recovered. "
                + "Send it as <code>Authorization: Bearer …</code>. Lost it? /revoke " + key.keyId()
                + " and create a new one.");
    }

    public void revoke(Chat chat, String args) {
        var matcher = KEY_ID.matcher(args.strip());
        if (!matcher.matches()) {
            replies.send(chat.chatId(), "Usage: /revoke &lt;keyId&gt; — see /keys for the ids.");
            return;
        }
        long keyId = Long.parseLong(matcher.group(1));
        Optional<AccountView> account = backend.account(chat.userId());
        if (account.isEmpty()) {
            replies.send(chat.chatId(), AccountCommands.NO_ACCOUNT);
            return;
        }
        Optional<ApiKey> revoked = backend.revokeKey(account.get().accountId(), keyId);
        replies.send(chat.chatId(), revoked
                .map(k -> "API key #" + k.keyId() + " <b>" + html(k.name()) + "</b> is revoked; "
                        + "requests with it are refused from now on.")
                .orElse("You have no API key #" + keyId + ". See /keys."));
    }
}
