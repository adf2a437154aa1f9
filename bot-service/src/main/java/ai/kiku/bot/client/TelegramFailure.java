package ai.kiku.bot.client;

/**
 * A Bot API call that did not succeed. {@code permanent} failures (400 chat not found, 403 bot
 * blocked) will not succeed on retry; the others (429, 5xx, network) may later.
 */
public class TelegramFailure extends RuntimeException {

    private final boolean permanent;
    private final int errorCode;

    public TelegramFailure(String message, int errorCode, boolean permanent) {
        super(message, null, false, false);
        this.errorCode = errorCode;
        this.permanent = permanent;
    }

    public boolean permanent() {
        return permanent;
    }

    public int errorCode() {
        return errorCode;
    }
}
