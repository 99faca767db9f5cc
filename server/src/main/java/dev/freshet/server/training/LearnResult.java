package dev.freshet.server.training;

import java.util.Map;

/**
 * What a learner could not learn: the records whose steps were refused for a non-finite loss or
 * gradient even when trained alone. Everything else it was given has been applied to the adapter.
 *
 * @param refused record id to why, in the order found
 */
public record LearnResult(Map<String, String> refused) {

    /** Nothing refused. */
    public static final LearnResult ALL_APPLIED = new LearnResult(Map.of());

    /** Copies the map, keeping its order. */
    public LearnResult {
        refused = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(refused));
    }
}
