package ai.kiku.devstack;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Asks running nodes over RESP who is master of what right now (it changes on failover). */
final class RedisTopology {

    private RedisTopology() {
    }

    /** The port of the master that serves {@code slot}, as the first answering node of {@code running} sees it. */
    static int masterPortForSlot(List<Integer> running, int slot) {
        IOException last = null;
        for (int port : running) {
            try (Resp r = Resp.connect(port)) {
                for (Object range : (List<?>) r.call("CLUSTER", "SLOTS")) {
                    List<?> entry = (List<?>) range;
                    long lo = (Long) entry.get(0);
                    long hi = (Long) entry.get(1);
                    if (slot >= lo && slot <= hi) {
                        return ((Long) ((List<?>) entry.get(2)).get(1)).intValue();
                    }
                }
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no running node knows the master of slot " + slot, last);
    }

    /** The ports of {@code running} whose node has {@code role} ({@code master} or {@code slave}). */
    static List<Integer> withRole(List<Integer> running, String role) {
        List<Integer> matching = new ArrayList<>();
        for (int port : running) {
            if (role.equals(role(port))) {
                matching.add(port);
            }
        }
        return matching;
    }

    private static String role(int port) {
        try (Resp r = Resp.connect(port)) {
            return RedisClusterHealth.fields(r.text("INFO", "replication")).get("role");
        } catch (IOException e) {
            return "down";
        }
    }
}
