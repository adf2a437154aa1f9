package ai.kiku.bot.service;

import ai.kiku.bot.client.Backend;
import ai.kiku.common.contract.Catalogue;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.Map;

import static ai.kiku.bot.service.Texts.count;
import static ai.kiku.bot.service.Texts.html;
import static ai.kiku.bot.service.Texts.usd;

/** /prices: each model of billing's catalogue, its token and request prices, and what $1 buys on it. */
@ApplicationScoped
public class PriceCommands {

    static final long ONE_DOLLAR = 1_000_000L;

    private final Backend backend;
    private final Replies replies;

    public PriceCommands(Backend backend, Replies replies) {
        this.backend = backend;
        this.replies = replies;
    }

    public void prices(Chat chat) {
        Catalogue catalogue = backend.catalogue();
        if (catalogue.models() == null || catalogue.models().isEmpty()) {
            replies.send(chat.chatId(), chat.t("prices.none"));
            return;
        }
        Map<String, Long> perRequest = new HashMap<>();
        if (catalogue.products() != null) {
            catalogue.products().forEach(p -> perRequest.put(p.productId(), p.pricePerRequestMicros()));
        }
        StringBuilder text = new StringBuilder(chat.t("prices.title"));
        for (Catalogue.ModelPrice m : catalogue.models()) {
            long request = perRequest.getOrDefault(m.productId(), 0L);
            text.append("\n\n").append(chat.t("prices.model", "model", html(m.model()),
                    "input", usd(m.inputPerMillionMicros()), "output", usd(m.outputPerMillionMicros()),
                    "request", usd(request)));
            text.append('\n').append(chat.t("prices.dollar",
                    "inputTokens", count(tokensPerDollar(m.inputPerMillionMicros())),
                    "outputTokens", count(tokensPerDollar(m.outputPerMillionMicros())),
                    "requests", request > 0 ? count(ONE_DOLLAR / request) : "∞"));
        }
        text.append("\n\n").append(chat.t("prices.footer"));
        replies.send(chat.chatId(), text.toString());
    }

    /** Whole tokens $1 pays for at a price per million tokens (exact; the per-request price aside). */
    static long tokensPerDollar(long microsPerMillion) {
        return microsPerMillion <= 0 ? 0 : ONE_DOLLAR * 1_000_000L / microsPerMillion;
    }
}
