package ai.kiku.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Periodic comparison of Redis balances with the PostgreSQL ledger. */
@ConfigMapping(prefix = "kiku.reconciliation")
public interface ReconciliationConfig {

    /** Period of the scheduled run (a Quarkus duration such as {@code 15m}; {@code off} disables it). */
    @WithDefault("15m")
    String interval();

    /** Delay of the first scheduled run after start. */
    @WithDefault("1m")
    String initialDelay();

    /**
     * Scheduled runs restore what a Redis failover can lose: ledger credits Redis does not know,
     * account and key statuses that differ from PostgreSQL, accounts missing in Redis. Other balance
     * drift is only reported (metric and log) for an operator. Off means report only.
     */
    @WithDefault("true")
    boolean autoRepair();

    /** Accounts read from PostgreSQL per page during a run. */
    @WithDefault("500")
    int pageSize();
}
