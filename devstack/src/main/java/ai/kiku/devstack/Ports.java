package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Finds free loopback ports for the servers, including Redis's cluster-bus port beside each node port. */
final class Ports {

    private Ports() {
    }

    static boolean portFree(int port) {
        if (port <= 0 || port > 65535) {
            return false;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // like the servers do: TIME_WAIT leftovers do not make a port busy
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a server accepts connections on 127.0.0.1:{@code port} (within 500 ms). */
    static boolean accepting(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A free port; with {@code busOffset > 0} the port + offset (Redis cluster bus) must be free too. */
    static int freePort(int busOffset, Set<Integer> taken) {
        for (int i = 0; i < 200; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (taken.contains(port) || (busOffset > 0 && (taken.contains(port + busOffset) || !portFree(port + busOffset)))) {
                continue;
            }
            if (busOffset > 0 && port + busOffset > 65535) {
                // the kernel's ephemeral range can exceed 55535; pick from a lower band instead
                int candidate = 20000 + (port % 25000);
                if (!taken.contains(candidate) && !taken.contains(candidate + busOffset)
                        && portFree(candidate) && portFree(candidate + busOffset)) {
                    return candidate;
                }
                continue;
            }
            return port;
        }
        throw new IllegalStateException("no free port found");
    }

    /** {@code count} distinct free ports whose bus ports (port + {@code busOffset}) are free and distinct too. */
    static List<Integer> freePorts(int count, int busOffset) {
        Set<Integer> taken = new HashSet<>();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int p = freePort(busOffset, taken);
            ports.add(p);
            taken.add(p);
            taken.add(p + busOffset);
        }
        return ports;
    }
}
