package ai.kiku.webhook.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** An account as billing returns it; only existence and status matter here. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AccountView(long accountId, String status) {
}
