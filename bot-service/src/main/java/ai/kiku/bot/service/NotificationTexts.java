package ai.kiku.bot.service;

import ai.kiku.common.events.NotifyEvent;

import static ai.kiku.bot.service.Texts.html;
import static ai.kiku.bot.service.Texts.usd;

/** What the user reads for each billing event (Telegram HTML). */
public final class NotificationTexts {

    private NotificationTexts() {
    }

    public static String of(NotifyEvent e) {
        String detail = e.detail() == null || e.detail().isBlank() ? null : html(e.detail());
        return switch (e.type()) {
            case PAYMENT_RECEIVED -> "Payment received: <b>+" + usd(e.amountMicros()) + "</b>.\nNew balance: <b>"
                    + usd(e.balanceMicros()) + "</b>. Thank you!";
            case LOW_BALANCE -> "Your balance is low: <b>" + usd(e.balanceMicros())
                    + "</b>. Top up with /topup so that your API calls keep working.";
            case KEY_CREATED -> "API key created" + (detail == null ? "" : ": " + detail)
                    + ".\nIf this was not you, see /keys and /revoke it.";
            case KEY_REVOKED -> "API key revoked" + (detail == null ? "" : ": " + detail)
                    + ".\nRequests with it are refused from now on.";
            case ACCOUNT_SUSPENDED -> "Your account is <b>suspended</b>" + (detail == null ? "" : ": " + detail)
                    + ".\nAPI requests are refused until it is resolved. Balance: " + usd(e.balanceMicros()) + ".";
        };
    }
}
