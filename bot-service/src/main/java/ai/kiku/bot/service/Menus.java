package ai.kiku.bot.service;

import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.i18n.Messages;
import com.pengrad.telegrambot.model.request.InlineKeyboardButton;
import com.pengrad.telegrambot.model.request.InlineKeyboardMarkup;

/**
 * The inline keyboards and the callback data of their buttons. Data is short and self-describing
 * ({@code m:balance}, {@code lang:ru}, {@code rv:y:42}); {@link CallbackRouter} parses it back and
 * treats anything else as stale.
 */
public final class Menus {

    public static final String MENU = "m:";
    public static final String LANGUAGE = "lang:";
    public static final String REVOKE_ASK = "rv:ask:";
    public static final String REVOKE_YES = "rv:y:";
    public static final String REVOKE_NO = "rv:n:";
    public static final String USAGE = "u:";

    /** The items of the main menu, in order; each is also the callback suffix after {@link #MENU}. */
    public static final String[][] MAIN = {{"balance", "topup"}, {"keys", "usage"}, {"prices", "settings"}};

    private Menus() {
    }

    public static InlineKeyboardMarkup main(Lang lang) {
        InlineKeyboardMarkup keyboard = new InlineKeyboardMarkup();
        for (String[] row : MAIN) {
            InlineKeyboardButton[] buttons = new InlineKeyboardButton[row.length];
            for (int i = 0; i < row.length; i++) {
                buttons[i] = button(Messages.t(lang, "button." + row[i]), MENU + row[i]);
            }
            keyboard.addRow(buttons);
        }
        return keyboard;
    }

    public static InlineKeyboardMarkup settings(Lang lang) {
        return new InlineKeyboardMarkup(
                new InlineKeyboardButton[]{button(Messages.t(lang, "button.language"), MENU + "language")},
                new InlineKeyboardButton[]{button(Messages.t(lang, "button.history"), MENU + "history")});
    }

    public static InlineKeyboardMarkup languages() {
        InlineKeyboardButton[] row = new InlineKeyboardButton[Lang.values().length];
        for (Lang l : Lang.values()) {
            row[l.ordinal()] = button(Messages.t(l, "language.name"), LANGUAGE + l.code());
        }
        return new InlineKeyboardMarkup(row);
    }

    public static InlineKeyboardMarkup revokeConfirm(Lang lang, long keyId) {
        return new InlineKeyboardMarkup(button(Messages.t(lang, "button.revoke_yes"), REVOKE_YES + keyId),
                button(Messages.t(lang, "button.cancel"), REVOKE_NO + keyId));
    }

    public static InlineKeyboardMarkup usageRanges(Lang lang) {
        InlineKeyboardButton[] row = new InlineKeyboardButton[UsageCommands.RANGES.size()];
        int i = 0;
        for (String range : UsageCommands.RANGES.keySet()) {
            row[i++] = button(Messages.t(lang, "button.range_" + range), USAGE + range);
        }
        return new InlineKeyboardMarkup(row);
    }

    static InlineKeyboardButton button(String text, String data) {
        return new InlineKeyboardButton(text).callbackData(data);
    }
}
