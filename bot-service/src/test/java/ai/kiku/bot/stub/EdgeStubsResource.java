package ai.kiku.bot.stub;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Starts the two things outside bot-service that its tests need: the Telegram Bot API stub and
 * the contract stand-in of billing/webhook, and points the service at them. Test classes receive
 * the recordings in fields named {@code telegramCalls}, {@code telegramScript},
 * {@code backendRequests} and {@code backendUsage} (JDK types only, so class loaders do not matter).
 */
public class EdgeStubsResource implements QuarkusTestResourceLifecycleManager {

    public static final String BOT_TOKEN = "123456:TEST-TOKEN";
    public static final String PUBLIC_URL = "https://bot.example.test/";

    private final List<Map<String, String>> telegramCalls = new CopyOnWriteArrayList<>();
    private final Queue<Map<String, String>> telegramScript = new ConcurrentLinkedQueue<>();
    private final List<String> backendRequests = new CopyOnWriteArrayList<>();
    private final Map<Long, List<String>> backendUsage = new ConcurrentHashMap<>();
    private TelegramStub telegram;
    private ContractStandin backend;

    @Override
    public Map<String, String> start() {
        String internalToken = "it-" + UUID.randomUUID();
        try {
            telegram = new TelegramStub(BOT_TOKEN, telegramCalls, telegramScript);
            backend = new ContractStandin(internalToken, backendRequests, backendUsage);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "kiku.telegram.bot-token", BOT_TOKEN,
                "kiku.telegram.api-url", telegram.apiUrl(),
                "kiku.telegram.public-url", PUBLIC_URL,
                "kiku.internal.token", internalToken,
                "kiku.billing.url", backend.url(),
                "kiku.webhook.url", backend.url());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(telegramCalls, f -> f.getName().equals("telegramCalls"));
        injector.injectIntoFields(telegramScript, f -> f.getName().equals("telegramScript"));
        injector.injectIntoFields(backendRequests, f -> f.getName().equals("backendRequests"));
        injector.injectIntoFields(backendUsage, f -> f.getName().equals("backendUsage"));
    }

    @Override
    public void stop() {
        if (telegram != null) {
            telegram.close();
        }
        if (backend != null) {
            backend.close();
        }
    }
}
