package ai.kiku.webhook.standin;

import ai.kiku.common.error.ProblemException;
import ai.kiku.common.error.ProblemMappers;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Keeps the local Paddle simulator, which mints credits without a real payment, on this machine: its
 * endpoints answer 404, as if they did not exist, unless the simulator is active (local stand-ins on
 * and no Paddle API key) and the request comes straight from a loopback address. A request that names
 * a forwarder ({@code Forwarded}, {@code X-Forwarded-For}, {@code X-Real-IP}) is refused too: a proxy
 * on this host would make every outside caller look local.
 */
public class SimulatorGuard {

    static final String PREFIX = "/paddle-sim";
    private static final List<String> FORWARDING_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Real-IP",
            "X-Forwarded-Host");

    private final PaddleSimulator simulator;

    public SimulatorGuard(PaddleSimulator simulator) {
        this.simulator = simulator;
    }

    /** Before matching, by path: so that no method or sub-path under /paddle-sim answers anything but 404. */
    @ServerRequestFilter(preMatching = true)
    public Response byPath(ContainerRequestContext request, HttpServerRequest http) {
        return underSimulator(request.getUriInfo().getPath()) ? decide(request, http) : null;
    }

    /** After matching, by resource class: the authority, whatever spelling of the path matched it. */
    @ServerRequestFilter
    public Response byResource(ContainerRequestContext request, SimpleResourceInfo resource, HttpServerRequest http) {
        return resource != null && resource.getResourceClass() == PaddleSimulatorResource.class
                ? decide(request, http) : null;
    }

    private Response decide(ContainerRequestContext request, HttpServerRequest http) {
        if (allows(simulator.active(), http.remoteAddress(), request.getHeaders())) {
            return null;
        }
        return ProblemMappers.respond(ProblemException.notFound("resource").problem());
    }

    static boolean underSimulator(String path) {
        String p = path == null ? "" : path.toLowerCase(Locale.ROOT).replaceAll("/{2,}", "/");
        return p.equals(PREFIX) || p.startsWith(PREFIX + "/");
    }

    /** The whole decision, apart from HTTP: active, from a loopback peer, not relayed. */
    static boolean allows(boolean active, SocketAddress remote, MultivaluedMap<String, String> headers) {
        if (!active || remote == null || !remote.isInetSocket() || !loopback(remote.hostAddress())) {
            return false;
        }
        return headers.keySet().stream().noneMatch(name -> FORWARDING_HEADERS.stream().anyMatch(name::equalsIgnoreCase));
    }

    private static boolean loopback(String ip) {
        if (ip == null || ip.isEmpty() || !ip.matches("[0-9a-fA-F:.%\\[\\]]+")) {
            return false; // only IP literals: never a name lookup
        }
        try {
            return InetAddress.getByName(ip.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
