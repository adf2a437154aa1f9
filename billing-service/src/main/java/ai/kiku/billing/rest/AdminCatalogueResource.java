package ai.kiku.billing.rest;

import ai.kiku.billing.model.CatalogueAuditPage;
import ai.kiku.billing.model.CatalogueRequests;
import ai.kiku.billing.service.CatalogueAdminService;
import ai.kiku.billing.service.CatalogueService;
import ai.kiku.common.contract.Catalogue;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Map;

/**
 * Operators' catalogue API: read it, create, update and retire products, model prices and credit packs (each
 * change audited in {@code catalogue_audit} and republished to Redis at once), and read the audit trail.
 * A change is audited under the operator its token belongs to; an optional {@code X-Operator} header is kept as
 * an unverified note beside the shared token's name, and refused (400) when it contradicts a named token.
 */
@Path("/admin/v1/catalogue")
@Tag(name = "admin")
@SecurityRequirement(name = "adminToken")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "Missing or wrong admin token (problem+json)")
@APIResponse(responseCode = "400", description = "Invalid input; the problem names the field; nothing was written")
public class AdminCatalogueResource {

    private static final String OPERATOR = AdminOperator.HEADER;

    private final CatalogueService catalogue;
    private final CatalogueAdminService admin;
    private final AdminOperator verified;

    public AdminCatalogueResource(CatalogueService catalogue, CatalogueAdminService admin, AdminOperator verified) {
        this.catalogue = catalogue;
        this.admin = admin;
        this.verified = verified;
    }

    @GET
    @Operation(summary = "Products, model prices and credit packs")
    public Uni<Catalogue> catalogue() {
        return catalogue.get();
    }

    @PUT
    @Path("/products/{productId}")
    @Operation(summary = "Create or update (and reactivate) a product; price per request in micro-USD")
    public Uni<Map<String, Object>> putProduct(@HeaderParam(OPERATOR) String operator,
                                               @PathParam("productId") String productId,
                                               CatalogueRequests.PutProduct body) {
        return admin.putProduct(verified.recorded(operator), productId, body);
    }

    @DELETE
    @Path("/products/{productId}")
    @Operation(summary = "Retire a product: its models are no longer sold")
    @APIResponse(responseCode = "404", description = "No such active product")
    public Uni<Map<String, Object>> retireProduct(@HeaderParam(OPERATOR) String operator,
                                                  @PathParam("productId") String productId) {
        return admin.retireProduct(verified.recorded(operator), productId);
    }

    @PUT
    @Path("/models/{model}")
    @Operation(summary = "Create or update a model's prices: micro-USD per one million input and output tokens")
    public Uni<Map<String, Object>> putModel(@HeaderParam(OPERATOR) String operator, @PathParam("model") String model,
                                             CatalogueRequests.PutModel body) {
        return admin.putModel(verified.recorded(operator), model, body);
    }

    @DELETE
    @Path("/models/{model}")
    @Operation(summary = "Retire a model (its price row is removed; the audit keeps it)")
    @APIResponse(responseCode = "404", description = "No such model")
    public Uni<Map<String, Object>> retireModel(@HeaderParam(OPERATOR) String operator,
                                                @PathParam("model") String model) {
        return admin.retireModel(verified.recorded(operator), model);
    }

    @PUT
    @Path("/credit-packs/{paddlePriceId}")
    @Operation(summary = "Create or update (and reactivate) a credit pack sold under a Paddle price id")
    public Uni<Map<String, Object>> putCreditPack(@HeaderParam(OPERATOR) String operator,
                                                  @PathParam("paddlePriceId") String paddlePriceId,
                                                  CatalogueRequests.PutCreditPack body) {
        return admin.putCreditPack(verified.recorded(operator), paddlePriceId, body);
    }

    @DELETE
    @Path("/credit-packs/{paddlePriceId}")
    @Operation(summary = "Retire a credit pack: no longer sold")
    @APIResponse(responseCode = "404", description = "No such active credit pack")
    public Uni<Map<String, Object>> retireCreditPack(@HeaderParam(OPERATOR) String operator,
                                                     @PathParam("paddlePriceId") String paddlePriceId) {
        return admin.retireCreditPack(verified.recorded(operator), paddlePriceId);
    }

    @GET
    @Path("/audit")
    @Operation(summary = "Catalogue changes, newest first; page with ?before=<nextBefore>&limit=1..1000")
    public Uni<CatalogueAuditPage> audit(@QueryParam("before") String before, @QueryParam("limit") String limit) {
        return admin.audit(Params.optionalLong("before", before), Params.optionalInt("limit", limit));
    }
}
