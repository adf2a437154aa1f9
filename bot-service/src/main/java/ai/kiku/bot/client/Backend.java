package ai.kiku.bot.client;

import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.ApiKey;
import ai.kiku.common.contract.Catalogue;
import ai.kiku.common.contract.Catalogue.CreditPack;
import ai.kiku.common.contract.Checkout;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.common.contract.LedgerEntry;
import ai.kiku.common.contract.LedgerPage;
import ai.kiku.common.contract.UsageReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The bot's view of billing- and webhook-service: typed calls, 404 as an empty answer, every other
 * failure as a {@link BackendException} carrying the problem detail. Blocking; worker threads only.
 */
@ApplicationScoped
public class Backend {

    private final BillingApi billing;
    private final CheckoutApi checkouts;
    private final ObjectMapper json;

    public Backend(@RestClient BillingApi billing, @RestClient CheckoutApi checkouts, ObjectMapper json) {
        this.billing = billing;
        this.checkouts = checkouts;
        this.json = json;
    }

    /** Creates the account of a Telegram user, or returns the existing one (billing is idempotent on the id). */
    public AccountView ensureAccount(long telegramUserId, String displayName) {
        return call("billing", () -> billing.createAccount(new InternalRequests.CreateAccount(telegramUserId, displayName)));
    }

    public Optional<AccountView> account(long telegramUserId) {
        return optional("billing", () -> billing.accountByTelegram(telegramUserId));
    }

    public ApiKey createKey(long accountId, String name) {
        return call("billing", () -> billing.createKey(accountId, new InternalRequests.CreateKey(name)));
    }

    public List<ApiKey> keys(long accountId) {
        List<ApiKey> keys = call("billing", () -> billing.keys(accountId));
        return keys == null ? List.of() : keys;
    }

    public Optional<ApiKey> revokeKey(long accountId, long keyId) {
        return optional("billing", () -> billing.revokeKey(accountId, keyId));
    }

    public UsageReport usage(long accountId, Instant from, Instant to) {
        return usage(accountId, from, to, "day");
    }

    /** {@code groupBy}: day, hour, model, key or day-model (groups "YYYY-MM-DD model"). */
    public UsageReport usage(long accountId, Instant from, Instant to, String groupBy) {
        return call("billing", () -> billing.usage(accountId, from.toString(), to.toString(), groupBy));
    }

    public List<CreditPack> creditPacks() {
        Catalogue catalogue = catalogue();
        return catalogue.creditPacks() == null ? List.of() : catalogue.creditPacks();
    }

    public Catalogue catalogue() {
        Catalogue catalogue = call("billing", billing::catalogue);
        return catalogue == null ? new Catalogue(List.of(), List.of(), List.of()) : catalogue;
    }

    /** Up to {@code limit} ledger entries older than {@code before} (null: the newest), newest first. */
    public LedgerSlice ledger(long accountId, Long before, int limit) {
        LedgerPage page = call("billing", () -> billing.ledger(accountId, before, limit));
        return page == null || page.entries() == null ? new LedgerSlice(List.of(), null)
                : new LedgerSlice(page.entries(), page.nextBefore());
    }

    /** A page of the ledger and where the next (older) one starts, null at the end. */
    public record LedgerSlice(List<LedgerEntry> entries, Long nextBefore) {
    }

    public AccountView setLowBalanceThreshold(long accountId, long micros) {
        return call("billing", () -> billing.setLowBalanceThreshold(accountId,
                new InternalRequests.LowBalanceThreshold(micros)));
    }

    public Checkout checkout(long accountId, String paddlePriceId) {
        return call("webhook", () -> checkouts.create(new InternalRequests.CreateCheckout(accountId, paddlePriceId, 1)));
    }

    private <T> Optional<T> optional(String service, Supplier<T> request) {
        try {
            return Optional.ofNullable(call(service, request));
        } catch (BackendException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private <T> T call(String service, Supplier<T> request) {
        try {
            return request.get();
        } catch (WebApplicationException e) {
            throw new BackendException(service, e.getResponse().getStatus(), problemDetail(e));
        } catch (RuntimeException e) {
            throw new BackendException(service, 0, e.getClass().getSimpleName());
        }
    }

    private String problemDetail(WebApplicationException e) {
        try {
            String body = e.getResponse().readEntity(String.class);
            JsonNode detail = body == null || body.isBlank() ? null : json.readTree(body).get("detail");
            return detail == null || !detail.isTextual() ? null : detail.asText();
        } catch (Exception ignored) {
            return null;
        }
    }
}
