package ai.kiku.devstack;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;

/** Decides from what the nodes report over RESP whether a cluster is healthy, and describes it when it is not. */
final class RedisClusterHealth {

    private RedisClusterHealth() {
    }

    /**
     * Whether every running node reports {@code cluster_state:ok} with all slots served, all running nodes see each
     * other as healthy and agree on the masters, and every running replica's link to its master is up.
     */
    static boolean healthy(List<Integer> running) throws IOException {
        if (running.isEmpty()) {
            return false;
        }
        Set<String> views = new HashSet<>();
        for (int port : running) {
            try (Resp r = Resp.connect(port)) {
                Map<String, String> info = fields(r.text("CLUSTER", "INFO"));
                if (!"ok".equals(info.get("cluster_state")) || !String.valueOf(RedisCluster.SLOTS).equals(info.get("cluster_slots_ok"))) {
                    return false;
                }
                Map<String, String> repl = fields(r.text("INFO", "replication"));
                if ("slave".equals(repl.get("role")) && !"up".equals(repl.get("master_link_status"))) {
                    return false;
                }
                Set<String> mastersWithSlots = new TreeSet<>();
                for (String line : r.text("CLUSTER", "NODES").split("\n")) {
                    if (line.isBlank()) {
                        continue;
                    }
                    String[] f = line.trim().split(" ");
                    int nodePort = nodePort(f[1]);
                    boolean bad = f[2].contains("fail") || f[2].contains("handshake") || f[2].contains("noaddr");
                    if (running.contains(nodePort) && (bad || !"connected".equals(f[7]))) {
                        return false;
                    }
                    if (f[2].contains("master") && f.length > 8 && !bad) {
                        mastersWithSlots.add(nodePort + ":" + String.join(" ", Arrays.copyOfRange(f, 8, f.length)));
                    }
                }
                views.add(String.join(",", mastersWithSlots));
            }
        }
        return views.size() == 1;
    }

    /** What each node says (or the tail of its log when it does not answer), for failure messages. */
    static String diagnostics(List<Integer> ports, Path binary, IntFunction<Path> nodeLog) {
        StringBuilder sb = new StringBuilder("redis cluster ").append(ports).append(" (").append(binary).append(")\n");
        for (int port : ports) {
            sb.append("--- node ").append(port).append(": ");
            try (Resp r = new Resp("127.0.0.1", port, 1000)) {
                Map<String, String> info = fields(r.text("CLUSTER", "INFO"));
                sb.append("state=").append(info.get("cluster_state")).append(" slots_ok=").append(info.get("cluster_slots_ok"))
                        .append(" role=").append(fields(r.text("INFO", "replication")).get("role")).append('\n')
                        .append(r.text("CLUSTER", "NODES"));
            } catch (IOException e) {
                sb.append("unreachable (").append(e.getMessage()).append(")\n")
                        .append(Processes.tail(nodeLog.apply(port), 10)).append('\n');
            }
        }
        return sb.toString();
    }

    /** The {@code key:value} lines of an INFO / CLUSTER INFO reply. */
    static Map<String, String> fields(String info) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                map.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return map;
    }

    /** The port of a CLUSTER NODES address ({@code host:port@busport}). */
    private static int nodePort(String address) {
        String hostPort = address.contains("@") ? address.substring(0, address.indexOf('@')) : address;
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
