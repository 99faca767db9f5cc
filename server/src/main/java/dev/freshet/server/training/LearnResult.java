package dev.freshet.server.training;

import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.Rejection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a learner could not learn, each with the reason its dead letter carries: records whose steps were refused
 * for a non-finite loss or gradient even when trained alone, or that cannot be trained at all (an edit whose
 * target does not fit the model's context). Everything else it was given has been applied to the adapter.
 *
 * @param refused record id to its rejection, in the order found
 */
public record LearnResult(Map<String, Rejection> refused) {

    /** Nothing refused. */
    public static final LearnResult ALL_APPLIED = new LearnResult(Map.of());

    /** Copies the map, keeping its order. */
    public LearnResult {
        refused = Collections.unmodifiableMap(new LinkedHashMap<>(refused));
    }

    /** Records refused for a non-finite loss or gradient: record id to the step's refusal. */
    public static LearnResult nonFinite(Map<String, String> why) {
        Map<String, Rejection> out = new LinkedHashMap<>();
        why.forEach((id, w) -> out.put(id, new Rejection(Reason.NAN_LOSS, "training loss is not finite: " + w)));
        return new LearnResult(out);
    }
}
