package ai.kiku.common.money;

/**
 * Result of settling a hold: what was charged (for a repeat, what the first settle charged),
 * whether it was a repeat (nothing charged this time), and
 * whether the hold had expired before the settle arrived (charged anyway, counted as late), and how
 * much of the charge exceeded the reservation ({@code overMicros}, charged all the same).
 */
public record SettleResult(boolean duplicate, long chargedMicros, boolean late, long balanceMicros, long heldMicros,
                           long overMicros) {
}
