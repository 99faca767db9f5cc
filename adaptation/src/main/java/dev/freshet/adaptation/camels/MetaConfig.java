package dev.freshet.adaptation.camels;

/**
 * Settings of CaMeLS meta-training (arXiv 2305.15076 §3 and Appendix; Freshet's values where they differ).
 *
 * @param steps outer (meta) steps
 * @param docsPerStep documents per outer step (the reference uses 6 per inner batch)
 * @param innerLr α of the one inner SGD step; the inner loss is a per-document mean over real tokens, not over
 *     the reference's padded length 1023, so α is re-tuned for that normalisation
 * @param locality λ of the {@code KL(p_θ ‖ p_θ')} term on unrelated text (reference 0.1)
 * @param metaLr Adam learning rate on φ (reference 1e-5 for a distilgpt2 backbone)
 * @param maxDocTokens documents are cut to this many tokens, start token included
 * @param unrelatedPerStep unrelated texts per step for the locality term
 * @param unrelatedTokens each cut to this many tokens
 * @param fdStep h of the float64 central difference along ∇L_out (parameter-norm units)
 * @param validateEvery steps between validation outer losses (0: only at the end)
 * @param checkpointEvery steps between resumable checkpoints (0: only at the end)
 * @param memoryEvery steps between native-memory (RSS) reports
 * @param seed data order
 * @param chained one inner step per document window, in order, and the outer loss after the last (the reference's
 *     six sequential steps, which also reward what later steps leave of earlier documents); false: one step on all
 *     the step's documents from θ
 * @param preconditionDocs 0: the inner step is plain SGD (the paper's); N > 0: it is preconditioned by Adam's
 *     settled second moments, estimated from the first N training documents ({@link AdamPreconditioner}), so that
 *     it moves θ as online learning's Adam steps do
 */
public record MetaConfig(int steps, int docsPerStep, float innerLr, float locality, float metaLr, int maxDocTokens, int unrelatedPerStep,
        int unrelatedTokens, double fdStep, int validateEvery, int checkpointEvery, int memoryEvery, long seed, boolean chained,
        int preconditionDocs) {

    /** The defaults of {@code bin/freshet meta-train}. */
    public static final MetaConfig DEFAULT = new MetaConfig(1000, 6, 0.01f, 0.1f, 3e-4f, 256, 2, 96, 1e-3, 25, 50, 10, 1234L, false, 0);

    public MetaConfig {
        if (steps <= 0 || docsPerStep <= 0 || maxDocTokens < 2 || unrelatedPerStep < 0 || unrelatedTokens < 2) {
            throw new IllegalArgumentException("meta-train: need steps > 0, docs per step > 0, max doc tokens >= 2");
        }
        if (!(innerLr > 0) || !(metaLr > 0) || locality < 0 || !(fdStep > 0)) {
            throw new IllegalArgumentException("meta-train: learning rates and the finite-difference step must be positive, λ >= 0");
        }
        if (preconditionDocs < 0) {
            throw new IllegalArgumentException("meta-train: precondition documents must be >= 0");
        }
    }

    public MetaConfig withSteps(int s) {
        return new MetaConfig(s, docsPerStep, innerLr, locality, metaLr, maxDocTokens, unrelatedPerStep, unrelatedTokens, fdStep, validateEvery,
                checkpointEvery, memoryEvery, seed, chained, preconditionDocs);
    }
}
