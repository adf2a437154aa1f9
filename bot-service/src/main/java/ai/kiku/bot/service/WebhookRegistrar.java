package ai.kiku.bot.service;

import ai.kiku.bot.client.TelegramGateway;
import ai.kiku.bot.config.BotSetup;
import ai.kiku.bot.config.TelegramConfig;
import com.pengrad.telegrambot.model.BotCommand;
import com.pengrad.telegrambot.request.SetMyCommands;
import com.pengrad.telegrambot.request.SetWebhook;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * With a real token and {@code kiku.telegram.public-url}, tells Telegram at startup where the
 * webhook is (with the secret) and which commands to offer in its menu. Off the startup path.
 */
@ApplicationScoped
public class WebhookRegistrar {

    private static final Logger LOG = Logger.getLogger(WebhookRegistrar.class);

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

    void register() {
        String base = config.publicUrl().orElseThrow().replaceAll("/+$", "");
        String url = base + "/telegram/webhook";
        try {
            telegram.call(new SetWebhook().url(url).secretToken(setup.webhookSecret())
                    .allowedUpdates("message", "callback_query"));
            LOG.infof("Telegram webhook set to %s", url);
            telegram.call(new SetMyCommands(
                    new BotCommand("start", "Create your account"),
                    new BotCommand("balance", "Your balance"),
                    new BotCommand("topup", "Buy credits"),
                    new BotCommand("keys", "Your API keys"),
                    new BotCommand("newkey", "Create an API key"),
                    new BotCommand("revoke", "Revoke an API key"),
                    new BotCommand("usage", "Spending today and this week"),
                    new BotCommand("help", "All commands")));
        } catch (RuntimeException e) {
            LOG.errorf("could not register the Telegram webhook at %s: %s", url, e.getMessage());
        }
    }
}
