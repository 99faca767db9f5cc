package dev.freshet.adaptation.eval;

import dev.freshet.adaptation.camels.DocumentTokens;

import java.util.Arrays;
import java.util.List;

/**
 * Where a token weighting puts its mass: the share of a document's total weight that lands on the tokens of the
 * answers its held-out questions ask for. It says whether a weighting points the update at what will be asked
 * (CaMeLS's premise, Hu et al., arXiv 2305.15076: the paper shows its learned weights on sample documents; this
 * measures the same thing over a whole stream), independently of whether the update then sticks. Under
 * {@code uniform} it is simply the fraction of the document's tokens that are answer tokens.
 *
 * <p>A token counts as an answer token when its characters overlap an occurrence of any answer string in the text
 * (exact, case-sensitive: the world writes answers verbatim into its documents). Entry 0 of each window's weights
 * (the start token, never a loss term) is left out of both sums.
 */
public final class AnswerShare {

    private AnswerShare() {}

    /**
     * {@code Σ_answer-tokens w / Σ_all w} over every window of one document; NaN when the weights sum to zero (no
     * update is made, so no share is defined).
     *
     * @param windows the document as the learner reads it
     * @param weights one weight vector per window, as long as the window
     * @param answers the answers to the document's questions
     */
    public static double of(List<DocumentTokens> windows, List<float[]> weights, List<String> answers) {
        if (windows.size() != weights.size()) {
            throw new IllegalArgumentException("got weights for " + weights.size() + " of " + windows.size() + " windows");
        }
        double onAnswers = 0;
        double total = 0;
        // The windows of one document share its text and offsets into it: one mask serves them all.
        boolean[] answerChar = windows.isEmpty() ? new boolean[0] : answerChars(windows.get(0).text(), answers);
        for (int k = 0; k < windows.size(); k++) {
            DocumentTokens doc = windows.get(k);
            float[] w = weights.get(k);
            for (int i = 1; i < doc.length(); i++) {
                total += w[i];
                if (covers(answerChar, doc.charStart()[i], doc.charEnd()[i])) {
                    onAnswers += w[i];
                }
            }
        }
        return total > 0 ? onAnswers / total : Double.NaN;
    }

    /** {@code mask[c]}: character {@code c} of {@code text} lies inside some occurrence of some answer. */
    static boolean[] answerChars(String text, List<String> answers) {
        boolean[] mask = new boolean[text.length()];
        for (String a : answers) {
            if (a.isEmpty()) {
                continue;
            }
            for (int at = text.indexOf(a); at >= 0; at = text.indexOf(a, at + 1)) {
                Arrays.fill(mask, at, at + a.length(), true);
            }
        }
        return mask;
    }

    /** Whether any character of {@code [from, to)} is marked. */
    static boolean covers(boolean[] mask, int from, int to) {
        for (int c = Math.max(0, from); c < Math.min(to, mask.length); c++) {
            if (mask[c]) {
                return true;
            }
        }
        return false;
    }
}
