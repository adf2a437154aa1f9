package ai.kiku.devstack;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Forms a cluster from six fresh nodes over RESP (what redis-cli --cluster create does): 3 masters, 1 replica each. */
final class RedisClusterFormation {

    private RedisClusterFormation() {
    }

    /** {@code ports}: masters first, then their replicas in the same order. */
    static void form(List<Integer> ports, Supplier<String> diagnostics) throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            try (Resp r = Resp.connect(ports.get(i))) {
                r.call("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
                ids.add(r.text("CLUSTER", "MYID"));
            }
        }
        try (Resp first = Resp.connect(ports.get(0))) {
            for (int port : ports.subList(1, ports.size())) {
                first.call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(port));
            }
        }
        int slots = RedisCluster.SLOTS;
        int per = slots / 3;
        for (int i = 0; i < 3; i++) {
            int lo = i * per + Math.min(i, slots % 3);
            int hi = lo + per - 1 + (i < slots % 3 ? 1 : 0);
            addSlots(ports.get(i), lo, hi);
        }
        Poll.until("all redis nodes to meet", Duration.ofSeconds(30), () -> {
            for (int port : ports) {
                try (Resp r = Resp.connect(port)) {
                    String nodes = r.text("CLUSTER", "NODES");
                    long known = nodes.lines().filter(l -> !l.isBlank() && !l.contains("handshake")).count();
                    if (known != ports.size()) {
                        return false;
                    }
                }
            }
            return true;
        }, diagnostics);
        for (int i = 3; i < 6; i++) {
            String masterId = ids.get(i - 3);
            int replicaPort = ports.get(i);
            Poll.until("replica " + replicaPort + " to replicate " + ports.get(i - 3), Duration.ofSeconds(30), () -> {
                try (Resp r = Resp.connect(replicaPort)) {
                    r.call("CLUSTER", "REPLICATE", masterId);
                    return true;
                }
            }, diagnostics);
        }
    }

    private static void addSlots(int port, int lo, int hi) throws IOException {
        try (Resp r = Resp.connect(port)) {
            try {
                r.call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(lo), Integer.toString(hi));
            } catch (Resp.ErrorReply e) {
                // Redis 6.2 (the embedded fallback) has no ADDSLOTSRANGE
                List<String> cmd = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
                for (int s = lo; s <= hi; s++) {
                    cmd.add(Integer.toString(s));
                }
                r.call(cmd);
            }
        }
    }
}
