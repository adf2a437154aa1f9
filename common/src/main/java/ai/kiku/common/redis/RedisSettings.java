package ai.kiku.common.redis;

import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code kiku.redis.*} settings (topology, password, TLS) as Vert.x options, for the Redis clients a service builds
 * itself: they must reach the same servers the same way as the Quarkus client, which application.properties maps from
 * the same settings.
 *
 * @param mode           cluster, standalone or sentinel
 * @param hosts          comma-separated URIs: the cluster's nodes, the server, or the sentinels
 * @param masterName     the Sentinel master name (sentinel mode only)
 * @param password       AUTH password of every server (sentinels included), if any ({@code quarkus.redis.password} wins)
 * @param tls            whether connections use TLS (the hosts are then {@code rediss://})
 * @param tlsTrustPem    PEM file of the certificates to trust, else the JVM's default trust store
 * @param tlsHostnameVerification NONE or HTTPS, as {@code quarkus.redis.tls.hostname-verification-algorithm}
 */
public record RedisSettings(RedisClientType mode, String hosts, String masterName, Optional<String> password,
                            boolean tls, Optional<String> tlsTrustPem, String tlsHostnameVerification) {

    public static final String MODE = "kiku.redis.mode";
    public static final String HOSTS = "kiku.redis.hosts";
    public static final String MASTER_NAME = "kiku.redis.master-name";
    public static final String PASSWORD = "kiku.redis.password";
    public static final String TLS = "kiku.redis.tls";
    public static final String TLS_TRUST_PEM = "kiku.redis.tls-trust-pem";
    public static final String TLS_HOSTNAME_VERIFICATION = "kiku.redis.tls-hostname-verification";

    /** Reads the settings through {@code lookup} (a MicroProfile Config, or a map in tests); blank means unset. */
    public static RedisSettings from(Function<String, Optional<String>> lookup) {
        Function<String, Optional<String>> set = name -> lookup.apply(name).map(String::trim).filter(v -> !v.isEmpty());
        String mode = set.apply(MODE).orElse("cluster");
        RedisClientType type = switch (mode.toLowerCase(Locale.ROOT)) {
            case "cluster" -> RedisClientType.CLUSTER;
            case "standalone" -> RedisClientType.STANDALONE;
            case "sentinel" -> RedisClientType.SENTINEL;
            default -> throw new IllegalArgumentException(MODE + " must be cluster, standalone or sentinel, not " + mode);
        };
        Optional<String> password = set.apply("quarkus.redis.password").or(() -> set.apply(PASSWORD));
        return new RedisSettings(type,
                set.apply(HOSTS).orElseThrow(() -> new IllegalArgumentException(HOSTS + " is not set")),
                set.apply(MASTER_NAME).orElse("mymaster"),
                password,
                set.apply(TLS).map(Boolean::parseBoolean).orElse(false),
                set.apply(TLS_TRUST_PEM),
                set.apply(TLS_HOSTNAME_VERIFICATION).orElse("NONE"));
    }

    /** Options reaching these servers; pool sizes are the caller's. Sentinel clients talk to the master only. */
    public RedisOptions toOptions() {
        RedisOptions options = new RedisOptions().setType(mode);
        Arrays.stream(hosts.split(",")).map(String::trim).filter(h -> !h.isEmpty()).forEach(options::addConnectionString);
        if (mode == RedisClientType.SENTINEL) {
            options.setMasterName(masterName).setRole(RedisRole.MASTER).setAutoFailover(true);
        }
        password.ifPresent(options::setPassword);
        if (tls) {
            NetClientOptions net = new NetClientOptions(options.getNetClientOptions()).setSsl(true)
                    .setHostnameVerificationAlgorithm(tlsHostnameVerification.equalsIgnoreCase("NONE")
                            ? "" : tlsHostnameVerification);
            tlsTrustPem.ifPresent(pem -> net.setTrustOptions(new PemTrustOptions().addCertPath(pem)));
            options.setNetClientOptions(net);
        }
        return options;
    }
}
