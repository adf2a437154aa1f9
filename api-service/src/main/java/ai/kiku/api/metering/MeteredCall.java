package ai.kiku.api.metering;

import ai.kiku.api.service.ApiCaller;
import ai.kiku.api.service.ChatRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * One metered proxy request in flight: who pays, what was reserved under which hold (= request)
 * id, and the keeper of that hold while the call runs.
 */
record MeteredCall(RoutingContext ctx, ApiCaller caller, ChatRequest request, String requestId, boolean ownShape,
                   HoldKeeper keeper) {
}
