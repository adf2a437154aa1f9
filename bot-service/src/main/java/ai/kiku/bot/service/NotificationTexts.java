package ai.kiku.bot.service;

import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.i18n.Messages;
import ai.kiku.common.events.NotifyEvent;

import static ai.kiku.bot.service.Texts.html;
import static ai.kiku.bot.service.Texts.usd;

/** What the user reads for each billing event (Telegram HTML), in their language. */
public final class NotificationTexts {

    private NotificationTexts() {
    }

    public static String of(NotifyEvent e, Lang lang) {
        String detail = e.detail() == null || e.detail().isBlank() ? "" : ": " + html(e.detail());
        String key = switch (e.type()) {
            case PAYMENT_RECEIVED -> "notify.payment";
            case LOW_BALANCE -> "notify.low_balance";
            case KEY_CREATED -> "notify.key_created";
            case KEY_REVOKED -> "notify.key_revoked";
            case ACCOUNT_SUSPENDED -> "notify.suspended";
            case REFUND_ISSUED -> "notify.refund";
            case CHARGEBACK -> "notify.chargeback";
        };
        return Messages.t(lang, key, "amount", usd(Math.abs(e.amountMicros())), "balance", usd(e.balanceMicros()),
                "detail", detail);
    }
}
