package ai.kiku.devstack;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link RedisCluster}'s password and TLS: what its nodes' configs add, and what clients are told. The nodes keep
 * their plain ports for the harness (which authenticates through {@link Resp}); with TLS, clients get the TLS ports
 * and the cluster bus and replication use TLS too, as a managed Redis with in-transit encryption does.
 *
 * @param password the {@code requirepass} of every node, or null
 * @param tlsPorts each node's TLS port by its plain port; empty without TLS
 * @param certDir  the self-signed certificate's directory (cert.pem, key.pem), with TLS
 */
record ClusterSecurity(String password, Map<Integer, Integer> tlsPorts, Path certDir) {

    static final ClusterSecurity NONE = new ClusterSecurity(null, Map.of(), null);

    /** A password and/or TLS for a cluster on {@code ports}, its certificate to be made in {@code certDir}. */
    static ClusterSecurity of(String password, boolean tls, List<Integer> ports, Path certDir) {
        Map<Integer, Integer> tlsPorts = new LinkedHashMap<>();
        if (tls) {
            Set<Integer> taken = new HashSet<>(ports);
            ports.forEach(port -> taken.add(port + RedisCluster.BUS_OFFSET));
            for (int port : ports) {
                int tlsPort = Ports.freePort(0, taken);
                taken.add(tlsPort);
                tlsPorts.put(port, tlsPort);
            }
        }
        return new ClusterSecurity(password, Map.copyOf(tlsPorts), tls ? certDir : null);
    }

    boolean tls() {
        return !tlsPorts.isEmpty();
    }

    /** The certificate clients must trust (only with TLS). */
    Path certificate() {
        return certDir.resolve("cert.pem");
    }

    /** The lines the node on {@code port} adds to its config. */
    List<String> configLines(int port) {
        List<String> lines = new java.util.ArrayList<>();
        if (password != null) {
            lines.add("requirepass " + password);
            lines.add("masterauth " + password);
        }
        if (tls()) {
            lines.addAll(List.of("tls-port " + tlsPorts.get(port),
                    "tls-cert-file " + RedisProcess.quote(certDir.resolve("cert.pem")),
                    "tls-key-file " + RedisProcess.quote(certDir.resolve("key.pem")),
                    "tls-ca-cert-file " + RedisProcess.quote(certDir.resolve("cert.pem")),
                    "tls-auth-clients no", "tls-cluster yes", "tls-replication yes",
                    // with tls-cluster the bus would listen on the TLS port + 10000; the harness reserved plain + 10000
                    "cluster-port " + (port + RedisCluster.BUS_OFFSET)));
        }
        return lines;
    }

    /** What a client is told: TLS ports (rediss://) when TLS is on. */
    String uri(int port) {
        return tls() ? "rediss://127.0.0.1:" + tlsPorts.get(port) : "redis://127.0.0.1:" + port;
    }

    /** The kiku.redis.* settings beyond mode and hosts. */
    Map<String, String> clientConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        if (password != null) {
            config.put("kiku.redis.password", password);
        }
        if (tls()) {
            config.put("kiku.redis.tls", "true");
            config.put("kiku.redis.tls-trust-pem", certificate().toString());
        }
        return config;
    }
}
