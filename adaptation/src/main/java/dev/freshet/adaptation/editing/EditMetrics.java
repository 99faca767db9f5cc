package dev.freshet.adaptation.editing;

import dev.freshet.adaptation.eval.QaEval;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.SamplingOptions;
import dev.freshet.adaptation.world.Neighbor;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.List;

/**
 * The editing measurements of LocFT (arXiv 2509.22072, evaluation metrics), by greedy decoding stopped at the end of
 * the line or EOS and SQuAD-normalised exact match ({@link QaEval#exactMatch}):
 * <ul>
 *   <li>efficacy (the paper's "reliability"): the edit prompt answers the new target;
 *   <li>generalisation: each paraphrase of the prompt answers the new target;
 *   <li>locality: each neighbor (an unrelated fact) still answers its own, unchanged target.
 * </ul>
 */
public final class EditMetrics {

    private EditMetrics() {}

    /**
     * Fractions in [0, 1] and the number of prompts each is over.
     *
     * @param efficacy edit prompts answered with the target
     * @param generalization paraphrases answered with the target
     * @param locality neighbors answered with their own target
     */
    public record Scores(double efficacy, double generalization, double locality, int edits, int paraphrases, int neighbors) {}

    /** The greedy answer to a prompt that already ends in {@code "\nA:"}, trimmed. */
    public static String greedyAnswer(LanguageModel model, Adaptation adaptation, String prompt) {
        SamplingOptions greedy = SamplingOptions.greedy(QaEval.ANSWER_TOKENS).withStop(List.of("\n"));
        return model.generate(prompt, greedy, adaptation, null).text().trim();
    }

    /** Measures all three over {@code edits} under {@code adaptation}. */
    public static Scores measure(LanguageModel model, Adaptation adaptation, List<WorldEdit> edits) {
        int eff = 0;
        int gen = 0;
        int loc = 0;
        int paraphrases = 0;
        int neighbors = 0;
        for (WorldEdit e : edits) {
            eff += correct(model, adaptation, e.prompt(), e.target());
            for (String p : e.paraphrases()) {
                gen += correct(model, adaptation, p, e.target());
                paraphrases++;
            }
            for (Neighbor n : e.neighbors()) {
                loc += correct(model, adaptation, n.prompt(), n.target());
                neighbors++;
            }
        }
        return new Scores(ratio(eff, edits.size()), ratio(gen, paraphrases), ratio(loc, neighbors), edits.size(), paraphrases, neighbors);
    }

    private static int correct(LanguageModel model, Adaptation adaptation, String prompt, String target) {
        return QaEval.exactMatch(greedyAnswer(model, adaptation, prompt), target) ? 1 : 0;
    }

    private static double ratio(int n, int of) {
        return of == 0 ? Double.NaN : (double) n / of;
    }
}
