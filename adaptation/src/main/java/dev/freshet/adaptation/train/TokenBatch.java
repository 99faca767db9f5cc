package dev.freshet.adaptation.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * A right-padded batch of training sequences with a weight for every predicted token.
 *
 * <p>Shapes: B sequences, T = longest sequence − 1. {@code inputs[b][t]} predicts {@code targets[b][t]}
 * with weight {@code weights[b][t]}; padding has target −1 and weight 0. A token's weight scales its
 * cross-entropy (CaMeLS §3); weight 1 everywhere is plain fine-tuning, weight 0 on the prompt is
 * "loss on the target tokens only" (LocFT).
 */
public record TokenBatch(long[] inputs, long[] targets, float[] weights, int batch, int length, int predicted) {

    /**
     * One training sequence.
     *
     * @param tokens the ids, start token included
     * @param weights weight of predicting {@code tokens[i]}, same length as tokens; {@code weights[0]} is
     *     ignored (nothing predicts the first token)
     */
    public record Sequence(int[] tokens, float[] weights) {
        public Sequence {
            if (tokens.length != weights.length) {
                throw new IllegalArgumentException("tokens and weights differ in length: " + tokens.length + " vs " + weights.length);
            }
        }

        /** Every token weighted 1. */
        public static Sequence uniform(int[] tokens) {
            float[] w = new float[tokens.length];
            java.util.Arrays.fill(w, 1f);
            return new Sequence(tokens, w);
        }

        /** Loss on the last {@code targetLength} tokens only (the answer of a prompt/answer pair). */
        public static Sequence targetOnly(int[] tokens, int targetLength) {
            float[] w = new float[tokens.length];
            for (int i = Math.max(1, tokens.length - targetLength); i < tokens.length; i++) {
                w[i] = 1f;
            }
            return new Sequence(tokens, w);
        }
    }

    /** Pads and flattens sequences of at least two tokens each. */
    public static TokenBatch of(List<Sequence> seqs) {
        int b = seqs.size();
        int t = seqs.stream().mapToInt(s -> s.tokens().length - 1).max().orElse(0);
        if (b == 0 || t <= 0) {
            throw new IllegalArgumentException("a batch needs at least one sequence of two or more tokens");
        }
        long[] in = new long[b * t];
        long[] tg = new long[b * t];
        float[] w = new float[b * t];
        java.util.Arrays.fill(tg, -1);
        int predicted = 0;
        for (int i = 0; i < b; i++) {
            Sequence s = seqs.get(i);
            for (int j = 0; j + 1 < s.tokens().length; j++) {
                in[i * t + j] = s.tokens()[j];
                tg[i * t + j] = s.tokens()[j + 1];
                w[i * t + j] = s.weights()[j + 1];
                predicted++;
            }
        }
        return new TokenBatch(in, tg, w, b, t, predicted);
    }

    /** Input ids [B, T] int64. */
    public NDArray inputsArray(NDManager m) {
        return m.create(inputs, new Shape(batch, length));
    }

    /** Target ids [B, T] int64, −1 at padding. */
    public NDArray targetsArray(NDManager m) {
        return m.create(targets, new Shape(batch, length));
    }

    /** Token weights [B, T]. */
    public NDArray weightsArray(NDManager m) {
        return m.create(weights, new Shape(batch, length));
    }
}
