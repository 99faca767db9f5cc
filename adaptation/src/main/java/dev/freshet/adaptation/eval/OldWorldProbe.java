package dev.freshet.adaptation.eval;

import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaPair;

import java.util.List;

/**
 * What adaptation may have cost: exact match on old-world questions nothing changed, and perplexity on old-world
 * text the base model was trained on. A fixed sample ({@link EvalData#probe}), so every method and seed is measured
 * on the same items.
 *
 * @param qa questions whose answers should not move
 * @param texts in-distribution old-world texts
 */
public record OldWorldProbe(List<QaPair> qa, List<String> texts) {

    public OldWorldProbe {
        qa = List.copyOf(qa);
        texts = List.copyOf(texts);
    }

    /**
     * @param exactMatch fraction of {@link #qa} answered exactly (NaN with no questions)
     * @param perplexity per-token perplexity of {@link #texts} (NaN with no texts)
     */
    public record Result(double exactMatch, double perplexity) {}

    public Result measure(LanguageModel model, Adaptation adaptation) {
        double em = qa.isEmpty() ? Double.NaN : BatchedAnswers.evaluate(model, adaptation, qa).exactMatch();
        double ppl = texts.isEmpty() ? Double.NaN : QaEval.perplexity(model, adaptation, texts);
        return new Result(em, ppl);
    }
}
