package ai.kiku.bot.service;

import ai.kiku.bot.client.TelegramGateway;
import ai.kiku.bot.config.BotSetup;
import ai.kiku.bot.config.TelegramConfig;
import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.i18n.Messages;
import com.pengrad.telegrambot.model.BotCommand;
import com.pengrad.telegrambot.request.SetMyCommands;
import com.pengrad.telegrambot.request.SetWebhook;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * With a real token and {@code kiku.telegram.public-url}, tells Telegram at startup where the
 * webhook is (with the secret) and which commands to offer in its menu, in each language. Off the startup path.
 */
@ApplicationScoped
public class WebhookRegistrar {

    private static final Logger LOG = Logger.getLogger(WebhookRegistrar.class);
    /** The commands in Telegram's menu, in order; each has a {@code menu.<name>} text per language. */
    static final String[] MENU_COMMANDS = {"start", "balance", "topup", "keys", "newkey", "revoke", "usage",
            "prices", "history", "alert", "language", "help"};

    private final BotSetup setup;
    private final TelegramConfig config;
    private final TelegramGateway telegram;

    public WebhookRegistrar(BotSetup setup, TelegramConfig config, TelegramGateway telegram) {
        this.setup = setup;
        this.config = config;
        this.telegram = telegram;
    }

    void onStart(@Observes StartupEvent event) {
        if (setup.standin() || !setup.canSend() || config.publicUrl().filter(u -> !u.isBlank()).isEmpty()) {
            return;
        }
        Thread t = new Thread(this::register, "bot-set-webhook");
        t.setDaemon(true);
        t.start();
    }

    /** The command menu Telegram shows, in one language. */
    static SetMyCommands commands(Lang lang) {
        BotCommand[] commands = new BotCommand[MENU_COMMANDS.length];
        for (int i = 0; i < MENU_COMMANDS.length; i++) {
            commands[i] = new BotCommand(MENU_COMMANDS[i], Messages.t(lang, "menu." + MENU_COMMANDS[i]));
        }
        return new SetMyCommands(commands);
    }

    void register() {
        String base = config.publicUrl().orElseThrow().replaceAll("/+$", "");
        String url = base + "/telegram/webhook";
        try {
            telegram.call(new SetWebhook().url(url).secretToken(setup.webhookSecret())
                    .allowedUpdates("message", "callback_query"));
            LOG.infof("Telegram webhook set to %s", url);
            telegram.call(commands(Lang.EN)); // the default, for every other language
            for (Lang lang : Lang.values()) {
                telegram.call(commands(lang).languageCode(lang.code()));
            }
        } catch (RuntimeException e) {
            LOG.errorf("could not register the Telegram webhook at %s: %s", url, e.getMessage());
        }
    }
}
