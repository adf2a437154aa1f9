package ai.kiku.billing.rest;

import ai.kiku.common.auth.Callers;
import ai.kiku.common.auth.InternalCaller;
import ai.kiku.common.contract.Catalogue;
import ai.kiku.common.contract.InternalApi;
import ai.kiku.billing.service.CatalogueService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The catalogue for other services (also published at Redis key {@code kiku:catalogue}). */
@Path(InternalApi.CATALOGUE)
@Tag(name = "internal")
@SecurityRequirement(name = "internalToken")
@Produces(MediaType.APPLICATION_JSON)
public class InternalCatalogueResource {

    private final CatalogueService catalogue;

    public InternalCatalogueResource(CatalogueService catalogue) {
        this.catalogue = catalogue;
    }

    @GET
    @Callers({InternalCaller.API, InternalCaller.BOT, InternalCaller.WEBHOOK})
    @Operation(summary = "Products, model prices and credit packs (cached)")
    public Uni<Catalogue> get() {
        return catalogue.get();
    }
}
