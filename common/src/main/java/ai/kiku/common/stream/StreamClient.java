package ai.kiku.common.stream;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Redis Streams consumer-group commands the services need (group creation, read, claim, ack and
 * delete), with replies parsed for both RESP2 and RESP3. One stream per call: in Redis Cluster each
 * stream may live on a different node. Not a bean: each service makes one from its {@link Redis}.
 */
public class StreamClient {

    /** What XAUTOCLAIM returned: the cursor to continue from ("0-0" when done) and the claimed entries. */
    public record Claimed(String cursor, List<StreamEntry> entries) {
    }

    /** KEYS[1] stream, ARGV[1] group, ARGV[2..] entry ids. */
    private static final String ACK_DELETE = """
            redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
            return redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
            """;
    private static final String ACK_DELETE_SHA = sha1(ACK_DELETE);

    private final Redis redis;

    public StreamClient(Redis redis) {
        this.redis = redis;
    }

    /** Creates the group at the start of the stream (creating the stream too); an existing group is kept. */
    public Uni<Void> ensureGroup(String stream, String group) {
        return redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg(group).arg("0").arg("MKSTREAM"))
                .onFailure(e -> String.valueOf(e.getMessage()).startsWith("BUSYGROUP")).recoverWithNull()
                .replaceWithVoid();
    }

    public static boolean isNoGroup(Throwable e) {
        return e != null && String.valueOf(e.getMessage()).startsWith("NOGROUP");
    }

    /** XREADGROUP without BLOCK; {@code id} is {@code >} for new entries or {@code 0} for this consumer's pending ones. */
    public Uni<List<StreamEntry>> read(String stream, String group, String consumer, int count, String id) {
        return read(stream, group, consumer, count, id, Duration.ZERO);
    }

    /**
     * XREADGROUP that waits up to {@code block} for new entries when there are none ({@code id} {@code >} and a
     * positive {@code block}); a read of pending entries never waits. Holds one connection while it waits.
     */
    public Uni<List<StreamEntry>> read(String stream, String group, String consumer, int count, String id,
                                       Duration block) {
        Request r = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(group).arg(consumer).arg("COUNT").arg(count);
        if (">".equals(id) && block.toMillis() > 0) {
            r.arg("BLOCK").arg(block.toMillis());
        }
        return redis.send(r.arg("STREAMS").arg(stream).arg(id)).map(StreamClient::parseRead);
    }

    /** XACK: the entries are done and leave the group's pending list (they stay in the stream). */
    public Uni<Void> ack(String stream, String group, List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Request r = Request.cmd(Command.XACK).arg(stream).arg(group);
        ids.forEach(r::arg);
        return redis.send(r).replaceWithVoid();
    }

    /** XAUTOCLAIM: takes over entries pending longer than {@code minIdleMillis} (a crashed consumer's). */
    public Uni<Claimed> claim(String stream, String group, String consumer, long minIdleMillis, String cursor,
                              int count) {
        return redis.send(Request.cmd(Command.XAUTOCLAIM).arg(stream).arg(group).arg(consumer).arg(minIdleMillis)
                .arg(cursor).arg("COUNT").arg(count)).map(r -> new Claimed(r.get(0).toString(), entries(r.get(1))));
    }

    /**
     * Acknowledges and deletes entries in one atomic step (one Lua call on the stream's node), so that
     * the stream length is the backlog and no entry is ever acknowledged yet left in the stream, where
     * no consumer would read it again. The delete goes first: if the script stops between the two
     * (an error), what is left is a pending id of a deleted entry, which the next read of pending
     * entries returns without fields and acknowledges.
     */
    public Uni<Void> ackAndDelete(String stream, String group, List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> args = new ArrayList<>(ids.size() + 1);
        args.add(group);
        args.addAll(ids);
        return redis.send(script(Command.EVALSHA, ACK_DELETE_SHA, stream, args))
                .onFailure(e -> String.valueOf(e.getMessage()).startsWith("NOSCRIPT"))
                .recoverWithUni(() -> redis.send(script(Command.EVAL, ACK_DELETE, stream, args)))
                .replaceWithVoid();
    }

    private static Request script(Command command, String script, String key, List<String> args) {
        Request r = Request.cmd(command).arg(script).arg(1).arg(key);
        args.forEach(r::arg);
        return r;
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Removes consumers of the group other than {@code self} that hold no pending entries and have been
     * idle longer than {@code idleMillis} (names of replicas that are gone); returns how many.
     */
    public Uni<Integer> dropIdleConsumers(String stream, String group, String self, long idleMillis) {
        return redis.send(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(stream).arg(group)).flatMap(r -> {
            List<String> idle = new ArrayList<>();
            if (r != null) {
                for (Response c : r) {
                    Map<String, String> info = fields(c);
                    String name = info.get("name");
                    if (name != null && !name.equals(self) && "0".equals(info.get("pending"))
                            && Long.parseLong(info.getOrDefault("idle", "0")) > idleMillis) {
                        idle.add(name);
                    }
                }
            }
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (String name : idle) {
                chain = chain.flatMap(x -> redis.send(Request.cmd(Command.XGROUP).arg("DELCONSUMER").arg(stream)
                        .arg(group).arg(name)).replaceWithVoid());
            }
            return chain.replaceWith(idle.size());
        });
    }

    /** The newest {@code count} entries of a stream, newest first (XREVRANGE). */
    public Uni<List<StreamEntry>> newest(String stream, int count) {
        return redis.send(Request.cmd(Command.XREVRANGE).arg(stream).arg("+").arg("-").arg("COUNT").arg(count))
                .map(StreamClient::entries);
    }

    public Uni<Long> length(String stream) {
        return redis.send(Request.cmd(Command.XLEN).arg(stream)).map(r -> r == null ? 0L : r.toLong());
    }

    public Uni<String> add(String stream, Map<String, String> fields, long maxLen) {
        Request xadd = Request.cmd(Command.XADD).arg(stream).arg("MAXLEN").arg("~").arg(maxLen).arg("*");
        fields.forEach((k, v) -> xadd.arg(k).arg(v));
        return redis.send(xadd).map(Response::toString);
    }

    private static List<StreamEntry> parseRead(Response r) {
        List<StreamEntry> out = new ArrayList<>();
        if (r == null) {
            return out;
        }
        if (r.getDelegate().isMap()) {
            for (String key : r.getKeys()) {
                out.addAll(entries(r.get(key)));
            }
        } else {
            for (Response stream : r) {
                out.addAll(entries(stream.get(1)));
            }
        }
        return out;
    }

    private static List<StreamEntry> entries(Response list) {
        List<StreamEntry> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        for (Response e : list) {
            if (e == null) {
                continue;
            }
            out.add(new StreamEntry(e.get(0).toString(), fields(e.size() > 1 ? e.get(1) : null)));
        }
        return out;
    }

    private static Map<String, String> fields(Response f) {
        if (f == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (f.getDelegate().isMap()) {
            for (String k : f.getKeys()) {
                out.put(k, f.get(k).toString());
            }
        } else {
            for (int i = 0; i + 1 < f.size(); i += 2) {
                out.put(f.get(i).toString(), f.get(i + 1) == null ? null : f.get(i + 1).toString());
            }
        }
        return out;
    }
}
