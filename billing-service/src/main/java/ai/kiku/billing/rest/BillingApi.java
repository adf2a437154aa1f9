package ai.kiku.billing.rest;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** OpenAPI description of billing-service: the operators' admin API and the service-to-service internal API. */
@OpenAPIDefinition(
        info = @Info(title = "KikuAI billing-service", version = "1.0",
                description = "System of record: accounts, API keys, ledger, usage history, reconciliation. "
                        + "Errors are RFC 9457 application/problem+json naming the offending field."),
        tags = {
                @Tag(name = "admin", description = "Operators and support; Authorization: Bearer <kiku.admin.token>"),
                @Tag(name = "internal", description = "Service-to-service (bot, webhook, api); "
                        + "Authorization: Bearer <the calling service's own token, kiku.internal.tokens.api|bot|webhook>; "
                        + "403 outside that service's scope; never exposed on the public ingress")
        })
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = "adminToken", type = SecuritySchemeType.HTTP, scheme = "bearer",
                description = "kiku.admin.token (KIKU_ADMIN_TOKEN)"),
        @SecurityScheme(securitySchemeName = "internalToken", type = SecuritySchemeType.HTTP, scheme = "bearer",
                description = "the calling service's token: kiku.internal.tokens.api, .bot or .webhook")
})
public class BillingApi extends Application {
}
