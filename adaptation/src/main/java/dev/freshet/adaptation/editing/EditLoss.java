package dev.freshet.adaptation.editing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.train.TokenBatch;
import dev.freshet.adaptation.train.WeightedLoss;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The LocFT training example and loss (arXiv 2509.22072, method): {@code prompt → ' ' + target + EOS},
 * cross-entropy on the target tokens only, averaged over each sample's target tokens and then over the
 * batch, so a long answer weighs no more than a short one.
 *
 * <p>Built on {@link WeightedLoss}, which divides by N, the number of real positions in the whole batch
 * (prompt included): giving sample i's target tokens the weight {@code N / (B · len_i)} turns that into
 * the per-sample mean, and reuses a loss that already has a naive reference and a test.
 */
final class EditLoss {

    private EditLoss() {}

    /** One edit as token ids: start token, prompt, target; the last {@code targetLength} ids are the target. */
    record Example(String id, int[] tokens, int targetLength) {}

    /** Encodes an edit whose target ends with EOS, the paper's form (see {@link #encode(LanguageModel, WorldEdit, EditTrainer.AnswerEnding)}). */
    static Example encode(LanguageModel model, WorldEdit edit) {
        return encode(model, edit, EditTrainer.AnswerEnding.EOS);
    }

    /**
     * Encodes an edit. The target ends as {@code ending} says (models without an EOS token end it with the QA
     * format's newline either way); a sequence longer than the model's positions keeps its end, as generation
     * keeps the end of a prompt.
     */
    static Example encode(LanguageModel model, WorldEdit edit, EditTrainer.AnswerEnding ending) {
        int[] prompt = model.encodeWithStart(edit.prompt());
        int eos = ending == EditTrainer.AnswerEnding.NEWLINE ? -1 : model.config().eosTokenId();
        int[] answer = model.tokenizer().encode(" " + edit.target() + (eos >= 0 ? "" : "\n"));
        int[] target = eos >= 0 ? Arrays.copyOf(answer, answer.length + 1) : answer;
        if (eos >= 0) {
            target[answer.length] = eos;
        }
        int max = model.config().maxPositions();
        if (target.length >= max) {
            throw new IllegalArgumentException("edit " + edit.id() + ": target of " + target.length + " tokens does not fit " + max + " positions");
        }
        int[] all = new int[prompt.length + target.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(target, 0, all, prompt.length, target.length);
        int[] kept = all.length > max + 1 ? Arrays.copyOfRange(all, all.length - max - 1, all.length) : all;
        return new Example(edit.id(), kept, target.length);
    }

    /**
     * Mean over the batch of each example's mean target-token cross-entropy, in the caller's scope.
     *
     * @return scalar loss
     */
    static NDArray targetMeanLoss(LanguageModel model, Adaptation adaptation, List<Example> batch) {
        List<TokenBatch.Sequence> seqs = new ArrayList<>(batch.size());
        for (Example e : batch) {
            seqs.add(TokenBatch.Sequence.targetOnly(e.tokens(), e.targetLength()));
        }
        TokenBatch tb = TokenBatch.of(seqs);
        float[] w = perSampleWeights(tb);
        NDManager m = model.manager();
        NDArray logits = model.logits(model.weights(), adaptation, tb.inputsArray(m)); // [B, T, V]
        NDArray weights = m.create(w, new ai.djl.ndarray.types.Shape(tb.batch(), tb.length())); // [B, T]
        return WeightedLoss.of(logits, tb.targetsArray(m), weights, tb.predicted());
    }

    /** The target-only weights rescaled so that {@link WeightedLoss}'s Σ w·CE / N is the per-sample mean. */
    static float[] perSampleWeights(TokenBatch tb) {
        float[] w = tb.weights().clone(); // [B·T], 1 on target positions, 0 elsewhere
        for (int b = 0; b < tb.batch(); b++) {
            int targets = 0;
            for (int t = 0; t < tb.length(); t++) {
                targets += w[b * tb.length() + t] > 0 ? 1 : 0;
            }
            float scale = targets == 0 ? 0f : (float) tb.predicted() / (tb.batch() * (float) targets);
            for (int t = 0; t < tb.length(); t++) {
                w[b * tb.length() + t] *= scale;
            }
        }
        return w;
    }
}
