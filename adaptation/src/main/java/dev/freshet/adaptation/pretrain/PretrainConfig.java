package dev.freshet.adaptation.pretrain;

/**
 * Everything that determines the bundled default model. The same values give the same model, bit for bit,
 * on the same libtorch build and thread count.
 *
 * @param seed world, tokenizer data order and initialisation seed
 * @param vocabSize BPE vocabulary size, special tokens included
 * @param hidden C
 * @param layers L
 * @param heads H
 * @param positions context length the model supports
 * @param seqLen tokens per training sequence
 * @param batch sequences per step
 * @param steps optimizer steps
 * @param lr peak AdamW learning rate (linear warm-up, cosine decay to 10%)
 * @param warmup warm-up steps
 * @param evalEvery steps between progress evaluations (0: only at the end)
 */
public record PretrainConfig(
        long seed, int vocabSize, int hidden, int layers, int heads, int positions, int seqLen, int batch, int steps, float lr, int warmup, int evalEvery) {

    /** The settings the bundled model was trained with. */
    public static final PretrainConfig DEFAULT = new PretrainConfig(1234L, 2048, 256, 4, 4, 256, 128, 16, 1600, 2e-3f, 100, 400);

    /** A few seconds' worth, for tests. */
    public static final PretrainConfig TINY = new PretrainConfig(7L, 320, 32, 2, 2, 64, 32, 4, 30, 3e-3f, 5, 0);

    public PretrainConfig {
        if (steps <= 0 || batch <= 0 || seqLen < 2 || seqLen > positions) {
            throw new IllegalArgumentException("pretrain: need steps > 0, batch > 0 and 2 <= seq-len <= positions");
        }
    }

    public PretrainConfig withSteps(int s) {
        return new PretrainConfig(seed, vocabSize, hidden, layers, heads, positions, seqLen, batch, s, lr, warmup, evalEvery);
    }

    /** Learning rate at a step (1-based): linear warm-up, then cosine to 10% of the peak. */
    public float lrAt(long step) {
        if (step <= warmup) {
            return lr * step / Math.max(1, warmup);
        }
        double progress = (double) (step - warmup) / Math.max(1, steps - warmup);
        return (float) (lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, progress)))));
    }
}
