package ai.kiku.common.redis;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script from {@code lua/} run by EVALSHA, falling back to EVAL once per node that has not
 * cached it yet. One round trip in the steady state; keys route the call to the right node.
 */
public final class LuaScript {

    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    /** Loads {@code lua/<name>.lua} with the shared prelude prepended. */
    public static LuaScript load(String name) {
        return new LuaScript(name, read("prelude") + "\n" + read(name));
    }

    public String name() {
        return name;
    }

    /** {@code SCRIPT LOAD} of this script, to have a node cache it before its first call. */
    public io.vertx.redis.client.Request loadRequest() {
        return io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SCRIPT).arg("LOAD").arg(source);
    }

    public Uni<Response> run(Redis redis, List<String> keys, List<String> args) {
        return redis.send(request(Command.EVALSHA, sha, keys, args))
                .onFailure(LuaScript::isNoScript)
                .recoverWithUni(() -> redis.send(request(Command.EVAL, source, keys, args)));
    }

    /**
     * {@link #run}, reported only once a replica has the write when the client can confirm that
     * ({@link ReplicatedWrites}, the hot path in sentinel mode); otherwise exactly {@link #run}.
     */
    public Uni<Response> runReplicated(Redis redis, List<String> keys, List<String> args) {
        if (!(redis.getDelegate() instanceof ReplicatedWrites replicated)) {
            return run(redis, keys, args);
        }
        return replicated(replicated, request(Command.EVALSHA, sha, keys, args))
                .onFailure(LuaScript::isNoScript)
                .recoverWithUni(() -> replicated(replicated, request(Command.EVAL, source, keys, args)));
    }

    private static Uni<Response> replicated(ReplicatedWrites redis, Request request) {
        return Uni.createFrom().emitter(emitter -> redis.sendReplicated(request.getDelegate()).onComplete(reply -> {
            if (reply.succeeded()) {
                emitter.complete(Response.newInstance(reply.result()));
            } else {
                emitter.fail(reply.cause());
            }
        }));
    }

    /**
     * The same call on the bare Vert.x client, for callers whose hot path cannot afford Mutiny's
     * per-operator overhead (api-service's balance endpoint).
     */
    public io.vertx.core.Future<io.vertx.redis.client.Response> call(io.vertx.redis.client.Redis redis,
                                                                     List<String> keys, List<String> args) {
        return redis.send(request(Command.EVALSHA, sha, keys, args).getDelegate())
                .recover(failure -> isNoScript(failure)
                        ? redis.send(request(Command.EVAL, source, keys, args).getDelegate())
                        : io.vertx.core.Future.failedFuture(failure));
    }

    private static Request request(Command command, String script, List<String> keys, List<String> args) {
        Request request = Request.cmd(command).arg(script).arg(keys.size());
        keys.forEach(request::arg);
        args.forEach(request::arg);
        return request;
    }

    private static boolean isNoScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
    }

    private static String read(String name) {
        String path = "lua/" + name + ".lua";
        try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
