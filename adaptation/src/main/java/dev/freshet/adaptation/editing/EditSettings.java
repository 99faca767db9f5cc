package dev.freshet.adaptation.editing;

/**
 * How an {@link EditTrainer} trains its localized parameters; validated on construction.
 *
 * <p>Reference values are those of LocFT-BF (Yang et al., <i>Fine-tuning Done Right in Model Editing</i>,
 * arXiv 2509.22072, implementation details): Adam, lr 5e-4 (5e-5 when a whole layer is tuned), no weight
 * decay, up to 25 epochs, skip a batch whose loss is below 0.01, stop when an epoch's mean loss is below
 * 0.01. The paper's batch is 100 edits; Freshet's default is 16 because its windows hold tens of edits,
 * and a batch as large as the window would make each epoch a single step. Mind the step count: the
 * paper's 25 epochs over 3K edits at batch 100 are 750 steps, while 25 epochs over a window of 50 at batch
 * 16 are only 100. On the bundled model, 50 edits at {@code L3 mlp.c_proj} reached 44% efficacy with 25
 * epochs and 100% with 100 epochs (400 steps); raise {@code maxEpochs} for small windows, the stop rule
 * ends training early once the edits are learned.
 *
 * @param learningRate Adam learning rate
 * @param batchSize edits per mini-batch (breadth-first); depth-first always uses 1
 * @param maxEpochs breadth-first passes over the window and replay at most
 * @param skipLoss a batch whose loss is below this is not stepped (0 never skips)
 * @param stopLoss breadth-first stops after an epoch whose mean loss is below this; depth-first moves to
 *     the next edit once the current one's loss is below it (0 never stops early)
 * @param replay capacity of the replay buffer of earlier edits (0: no replay); bounds the cost of a window
 * @param maxStepsPerEdit depth-first: optimizer steps on one edit at most
 * @param clipNorm global gradient-norm clip; 0 disables it (the reference does not clip)
 * @param seed seeds the epoch shuffles and the replay buffer's sampling
 */
public record EditSettings(
        float learningRate,
        int batchSize,
        int maxEpochs,
        float skipLoss,
        float stopLoss,
        int replay,
        int maxStepsPerEdit,
        float clipNorm,
        long seed) {

    /** LocFT-BF's reference values, batch 16, replay 256, 100 depth-first steps per edit, seed 1234. */
    public static final EditSettings DEFAULTS = new EditSettings(5e-4f, 16, 25, 0.01f, 0.01f, 256, 100, 0f, 1234L);

    public EditSettings {
        require(learningRate > 0 && Float.isFinite(learningRate), "learning rate must be a positive number, got " + learningRate);
        require(batchSize >= 1, "batch size must be >= 1, got " + batchSize);
        require(maxEpochs >= 1, "max epochs must be >= 1, got " + maxEpochs);
        require(skipLoss >= 0 && Float.isFinite(skipLoss), "skip loss must be a finite number >= 0, got " + skipLoss);
        require(stopLoss >= 0 && Float.isFinite(stopLoss), "stop loss must be a finite number >= 0, got " + stopLoss);
        require(replay >= 0, "replay capacity must be >= 0, got " + replay);
        require(maxStepsPerEdit >= 1, "max steps per edit must be >= 1, got " + maxStepsPerEdit);
        require(clipNorm >= 0 && Float.isFinite(clipNorm), "clip norm must be a finite number >= 0, got " + clipNorm);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public EditSettings withLearningRate(float lr) {
        return new EditSettings(lr, batchSize, maxEpochs, skipLoss, stopLoss, replay, maxStepsPerEdit, clipNorm, seed);
    }

    public EditSettings withBatchSize(int b) {
        return new EditSettings(learningRate, b, maxEpochs, skipLoss, stopLoss, replay, maxStepsPerEdit, clipNorm, seed);
    }

    public EditSettings withMaxEpochs(int e) {
        return new EditSettings(learningRate, batchSize, e, skipLoss, stopLoss, replay, maxStepsPerEdit, clipNorm, seed);
    }

    /** Both thresholds at once: the batch-skip and the early-stop loss. */
    public EditSettings withThresholds(float skip, float stop) {
        return new EditSettings(learningRate, batchSize, maxEpochs, skip, stop, replay, maxStepsPerEdit, clipNorm, seed);
    }

    public EditSettings withReplay(int capacity) {
        return new EditSettings(learningRate, batchSize, maxEpochs, skipLoss, stopLoss, capacity, maxStepsPerEdit, clipNorm, seed);
    }

    public EditSettings withMaxStepsPerEdit(int steps) {
        return new EditSettings(learningRate, batchSize, maxEpochs, skipLoss, stopLoss, replay, steps, clipNorm, seed);
    }

    public EditSettings withSeed(long s) {
        return new EditSettings(learningRate, batchSize, maxEpochs, skipLoss, stopLoss, replay, maxStepsPerEdit, clipNorm, s);
    }
}
