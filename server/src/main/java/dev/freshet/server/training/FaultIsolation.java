package dev.freshet.server.training;

import dev.freshet.adaptation.train.StepResult;
import dev.freshet.adaptation.train.TokenBatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains records batched together while blaming a non-finite loss on the record that causes it.
 *
 * <p>Records are packed into steps of at most {@code perStep} sequences. When a step is refused
 * (GradientStep refuses before writing anything, so nothing is lost), each of its records is
 * retried alone; a record refused alone is reported, the others are applied. A healthy batch
 * therefore costs one step, and a poisoned one costs one extra step per record in it.
 */
final class FaultIsolation {

    /** Training input of one record: one sequence, or several chunks of a long one. */
    record Unit(String recordId, List<TokenBatch.Sequence> sequences) {}

    private FaultIsolation() {}

    /** Trains every unit once at learning rate {@code lr}, skipping records already in {@code refused}, and adds the newly refused. */
    static void trainOnce(TenantAdapter adapter, List<Unit> units, int perStep, float lr, Map<String, String> refused) {
        List<Unit> step = new ArrayList<>();
        int sequences = 0;
        for (Unit unit : split(units, perStep)) {
            if (refused.containsKey(unit.recordId())) {
                continue;
            }
            if (sequences + unit.sequences().size() > perStep) {
                run(adapter, step, lr, refused);
                step = new ArrayList<>();
                sequences = 0;
            }
            step.add(unit);
            sequences += unit.sequences().size();
        }
        if (!step.isEmpty()) {
            run(adapter, step, lr, refused);
        }
    }

    private static void run(TenantAdapter adapter, List<Unit> step, float lr, Map<String, String> refused) {
        List<Unit> live = step.stream().filter(u -> !refused.containsKey(u.recordId())).toList();
        if (live.isEmpty()) {
            return;
        }
        StepResult r = adapter.train(batchOf(live), lr);
        if (r.applied()) {
            return;
        }
        if (live.size() == 1) {
            refused.putIfAbsent(live.get(0).recordId(), r.refusal());
            return;
        }
        for (Unit unit : live) {
            if (refused.containsKey(unit.recordId())) {
                continue; // an earlier chunk of the same record was already blamed
            }
            StepResult alone = adapter.train(batchOf(List.of(unit)), lr);
            if (!alone.applied()) {
                refused.put(unit.recordId(), alone.refusal());
            }
        }
    }

    /** Units of at most {@code perStep} sequences, so one long record never makes an oversized step. */
    private static List<Unit> split(List<Unit> units, int perStep) {
        List<Unit> out = new ArrayList<>();
        for (Unit u : units) {
            List<TokenBatch.Sequence> s = u.sequences();
            for (int from = 0; from < s.size(); from += perStep) {
                out.add(new Unit(u.recordId(), s.subList(from, Math.min(s.size(), from + perStep))));
            }
        }
        return out;
    }

    private static TokenBatch batchOf(List<Unit> units) {
        List<TokenBatch.Sequence> all = new ArrayList<>();
        units.forEach(u -> all.addAll(u.sequences()));
        return TokenBatch.of(all);
    }

    /** A fresh, ordered map for {@link #trainOnce} to fill. */
    static Map<String, String> newRefusals() {
        return new LinkedHashMap<>();
    }
}
