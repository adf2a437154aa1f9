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

    /** Repair drift found by scheduled runs (PostgreSQL wins); off means report only. */
    @WithDefault("false")
    boolean autoRepair();

    /** Accounts read from PostgreSQL per page during a run. */
    @WithDefault("500")
    int pageSize();
}
