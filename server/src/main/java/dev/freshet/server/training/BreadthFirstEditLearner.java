package dev.freshet.server.training;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.train.TokenBatch;
import dev.freshet.adaptation.world.QaFormat;
import dev.freshet.streams.record.EditRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Applies edits by fine-tuning on {@code prompt + " " + target + "\n"} with the loss on the target
 * tokens only, breadth-first: each epoch takes one pass over all of the batch's edits (in steps of at
 * most {@code sequencesPerStep}) before the next epoch starts, rather than finishing one edit before
 * the next, which keeps early edits from being overwritten by later ones (the "BF" of LocFT-BF). The
 * target ends with the newline of {@link QaFormat#target}, so the model also learns where the answer
 * stops. An edit refused in one epoch is left out of the following ones.
 */
public final class BreadthFirstEditLearner implements EditLearner {

    private final int epochs;
    private final int sequencesPerStep;

    /** @param epochs breadth-first passes over the edits */
    public BreadthFirstEditLearner(int epochs, int sequencesPerStep) {
        if (epochs < 1 || sequencesPerStep < 1) {
            throw new IllegalArgumentException("epochs and sequencesPerStep must be >= 1, got " + epochs + " and " + sequencesPerStep);
        }
        this.epochs = epochs;
        this.sequencesPerStep = sequencesPerStep;
    }

    /** As configured. */
    public static BreadthFirstEditLearner of(TrainingSettings settings) {
        return new BreadthFirstEditLearner(settings.editEpochs(), settings.sequencesPerStep());
    }

    /** This learner's name in settings, manifests and metrics. */
    public static final String NAME = "ft-bf";

    @Override
    public String method() {
        return NAME;
    }

    @Override
    public LearnResult learn(TenantAdapter adapter, List<EditRecord> edits) {
        List<FaultIsolation.Unit> units = new ArrayList<>();
        for (EditRecord e : edits) {
            units.add(new FaultIsolation.Unit(e.id(), List.of(sequence(adapter.base(), e, adapter.maxSequenceTokens()))));
        }
        Map<String, String> refused = FaultIsolation.newRefusals();
        for (int epoch = 0; epoch < epochs; epoch++) {
            FaultIsolation.trainOnce(adapter, units, sequencesPerStep, adapter.editLearningRate(), refused);
        }
        return LearnResult.nonFinite(refused);
    }

    /** Start + prompt + target, loss on the target; a sequence too long keeps its end (the target). */
    static TokenBatch.Sequence sequence(LanguageModel base, EditRecord edit, int max) {
        // Prompt and target are encoded apart, as scoring and generation see them.
        int[] prompt = base.encodeWithStart(edit.prompt());
        int[] target = base.tokenizer().encode(QaFormat.target(edit.target()));
        int[] all = Arrays.copyOf(prompt, prompt.length + target.length);
        System.arraycopy(target, 0, all, prompt.length, target.length);
        if (all.length > max) {
            all = Arrays.copyOfRange(all, all.length - max, all.length);
        }
        return TokenBatch.Sequence.targetOnly(all, Math.min(target.length, all.length - 1));
    }
}
