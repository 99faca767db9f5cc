package dev.freshet.adaptation.camels;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaFormat;
import dev.freshet.adaptation.world.QaPair;
import dev.freshet.adaptation.world.WorldDocument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One outer batch of CaMeLS meta-training as flat, right-padded arrays (row-major).
 *
 * <p>Shapes: D rows, one per {@link DocumentTokens#windows window} of a document (a document longer than the
 * context gives several), T = longest row − 1 predictions; Q questions of the documents, Tq; K unrelated texts,
 * Tk. {@code docTokens} [D, T+1] is what the weighting model reads; {@code docInputs}/{@code docTargets} [D, T]
 * are the same tokens shifted for the base model, and token weight {@code [d, t]} (the weighting model's output
 * at position t+1) scales the loss of {@code docTargets[d, t]}. Padding: id 0 in inputs, −1 in targets.
 *
 * @param docs D, the number of rows (document windows)
 * @param docScale [D], 1/N of the row's document: each document's loss is its mean over all its predicted tokens
 * @param tokenMask [D, T], 1 where a document has a real target
 * @param answerMask [Q, Tq], 1 on the answer's tokens
 * @param unrelatedMask [K, Tk], 1 on real positions
 */
public record MetaBatch(int docs, int length, long[] docTokens, long[] docInputs, long[] docTargets, float[] docScale, float[] tokenMask,
        int questions, int qaLength, long[] qaInputs, long[] qaTargets, float[] answerMask, int answerTokens,
        int unrelated, int unrelatedLength, long[] unrelatedInputs, float[] unrelatedMask, int unrelatedTokens) {

    /**
     * Tokenises documents (in windows of {@code maxDocTokens} tokens, start token included), their questions in
     * {@link QaFormat}, and unrelated texts (cut to {@code maxUnrelatedTokens}).
     */
    public static MetaBatch of(LanguageModel model, List<WorldDocument> documents, List<String> unrelatedTexts, int maxDocTokens,
            int maxUnrelatedTokens) {
        List<int[]> docs = new ArrayList<>();
        List<Float> rowScale = new ArrayList<>();
        List<int[]> qa = new ArrayList<>();
        List<Integer> answerLengths = new ArrayList<>();
        for (WorldDocument d : documents) {
            List<DocumentTokens> windows = DocumentTokens.full(model, d.text()).windows(maxDocTokens);
            int predicted = windows.stream().mapToInt(w -> w.length() - 1).sum();
            for (DocumentTokens w : windows) {
                docs.add(w.ids());
                rowScale.add(1f / Math.max(1, predicted));
            }
            for (QaPair p : d.questions()) {
                int[] prompt = model.encodeWithStart(QaFormat.prompt(p.question()));
                int[] answer = model.tokenizer().encode(QaFormat.target(p.answer()));
                int[] seq = Arrays.copyOf(prompt, prompt.length + answer.length);
                System.arraycopy(answer, 0, seq, prompt.length, answer.length);
                qa.add(seq);
                answerLengths.add(answer.length);
            }
        }
        List<int[]> unrelated = new ArrayList<>();
        for (String t : unrelatedTexts) {
            int[] ids = model.encodeWithStart(t);
            unrelated.add(Arrays.copyOf(ids, Math.min(ids.length, maxUnrelatedTokens)));
        }
        int t = docs.stream().mapToInt(s -> s.length - 1).max().orElseThrow();
        int d = docs.size();
        long[] tokens = new long[d * (t + 1)];
        long[] inputs = new long[d * t];
        long[] targets = new long[d * t];
        float[] scale = new float[d];
        float[] mask = new float[d * t];
        Arrays.fill(targets, -1);
        for (int i = 0; i < d; i++) {
            int[] s = docs.get(i);
            for (int j = 0; j < s.length; j++) {
                tokens[i * (t + 1) + j] = s[j];
            }
            for (int j = 0; j + 1 < s.length; j++) {
                inputs[i * t + j] = s[j];
                targets[i * t + j] = s[j + 1];
                mask[i * t + j] = 1f;
            }
            scale[i] = rowScale.get(i);
        }
        int q = qa.size();
        int tq = qa.stream().mapToInt(s -> s.length - 1).max().orElse(1);
        long[] qaIn = new long[q * tq];
        long[] qaTg = new long[q * tq];
        float[] answer = new float[q * tq];
        Arrays.fill(qaTg, -1);
        int answerTokens = 0;
        for (int i = 0; i < q; i++) {
            int[] s = qa.get(i);
            int firstAnswerTarget = s.length - answerLengths.get(i) - 1; // target index of the answer's first token
            for (int j = 0; j + 1 < s.length; j++) {
                qaIn[i * tq + j] = s[j];
                qaTg[i * tq + j] = s[j + 1];
                if (j >= firstAnswerTarget) {
                    answer[i * tq + j] = 1f;
                    answerTokens++;
                }
            }
        }
        int k = unrelated.size();
        int tk = unrelated.stream().mapToInt(s -> s.length).max().orElse(0);
        long[] unIn = new long[k * tk];
        float[] unMask = new float[k * tk];
        int unTokens = 0;
        for (int i = 0; i < k; i++) {
            int[] s = unrelated.get(i);
            for (int j = 0; j < s.length; j++) {
                unIn[i * tk + j] = s[j];
                unMask[i * tk + j] = 1f;
                unTokens++;
            }
        }
        return new MetaBatch(d, t, tokens, inputs, targets, scale, mask, q, tq, qaIn, qaTg, answer, answerTokens, k, tk, unIn, unMask, unTokens);
    }

    /** Token weights [D, T] of {@code value} on every real target and 0 on padding: a fixed weighting (1: uniform). */
    public double[] constantWeights(double value) {
        double[] w = new double[tokenMask.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = tokenMask[i] * value;
        }
        return w;
    }

    /** Number of real (non-padding) document targets, Σ tokenMask. */
    public int documentTokens() {
        int n = 0;
        for (float m : tokenMask) {
            n += (int) m;
        }
        return n;
    }
}
