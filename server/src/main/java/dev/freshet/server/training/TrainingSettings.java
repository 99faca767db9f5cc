package dev.freshet.server.training;

import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.mwi.MwiSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the training worker batches, trains and yields. Parsed once from the configuration; every
 * component reads this record, never raw keys. Each check names the configuration key it guards.
 *
 * @param maxBatchRecords {@code training.batch.max-records}: a micro-batch closes when it holds this
 *     many records ...
 * @param maxBatchDelay {@code training.batch.max-delay}: ... or this long after its oldest record was
 *     queued, whichever comes first; bounds how long a lone record waits for company
 * @param queueCapacity {@code training.queue.capacity}: records the hand-over queue holds before the
 *     consumers are paused (see {@link TrainingQueue})
 * @param adapter {@code training.adapter}: the per-tenant fast adapter (LoRA or localized delta)
 * @param learningRate {@code training.lr}: AdamW learning rate of document training
 * @param editLearningRate {@code training.edits.lr}: AdamW learning rate of {@code ft-bf} edits (the LocFT-BF learners
 *     carry their own)
 * @param weightDecay {@code training.weight-decay}: AdamW decoupled weight decay
 * @param clipNorm {@code training.clip-norm}: global gradient-norm clip; 0 disables it
 * @param documentEpochs {@code training.documents.epochs}: passes over a round's documents
 * @param editEpochs {@code training.edits.epochs}: breadth-first passes over a round's edits ({@code ft-bf} only)
 * @param sequencesPerStep {@code training.step.max-sequences}: sequences in one gradient step; more
 *     are split over several steps, so a step's memory stays bounded
 * @param maxYield {@code training.yield.max}: the longest training waits for serving before it takes
 *     one step anyway, so a server under constant load still learns (slowly)
 * @param seed {@code training.seed}: seeds each tenant's adapter initialisation
 * @param mwi {@code training.mwi.*}: momentum weight interpolation of what is published; τ = 0 (the default)
 *     publishes the trained weights themselves
 * @param mwiScope {@code training.mwi.scope}: the tensors the slow copy follows ({@link MwiScope}); {@code documents}
 *     follows the documents' tensors on their own steps and serves the edit learner's deltas as trained over them
 * @param editMethod {@code training.edits.method}: {@code locft-bf} (LocFT-BF: the adapter's tensors at one
 *     location, breadth-first with replay and a stop rule), {@code locft-keys} (the same, stepped in the key metric
 *     of preserved questions) or {@code ft-bf} (every adapter tensor, a fixed number of passes)
 * @param editLocation {@code training.edits.location}: the adapter module LocFT-BF trains; null: the last
 *     layer's MLP output projection
 * @param editPreserve {@code edit-preserve}: a JSONL file of texts whose outputs {@code locft-keys} keeps
 *     ({@code {"text"}} or {@code {"question","answer"}} lines); null: the default model's held-out questions
 */
public record TrainingSettings(
        int maxBatchRecords,
        Duration maxBatchDelay,
        int queueCapacity,
        AdapterSpec adapter,
        float learningRate,
        float editLearningRate,
        float weightDecay,
        float clipNorm,
        int documentEpochs,
        int editEpochs,
        int sequencesPerStep,
        Duration maxYield,
        long seed,
        MwiSettings mwi,
        MwiScope mwiScope,
        String editMethod,
        String editLocation,
        Path editPreserve) {

    /** @throws IllegalArgumentException naming the key of the first invalid value */
    public TrainingSettings {
        Objects.requireNonNull(adapter, "training.adapter");
        atLeast(maxBatchRecords, 1, "training.batch.max-records");
        positive(maxBatchDelay, "training.batch.max-delay");
        atLeast(queueCapacity, 2, "training.queue.capacity");
        if (queueCapacity < maxBatchRecords) {
            // A queue smaller than a batch could never fill a batch by size.
            throw new IllegalArgumentException("training.queue.capacity (" + queueCapacity
                    + ") must be at least training.batch.max-records (" + maxBatchRecords + ")");
        }
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("training.lr must be a positive finite number, got " + learningRate);
        }
        if (!(editLearningRate > 0) || !Float.isFinite(editLearningRate)) {
            throw new IllegalArgumentException("training.edits.lr must be a positive finite number, got " + editLearningRate);
        }
        if (!(weightDecay >= 0) || weightDecay >= 1) {
            throw new IllegalArgumentException("training.weight-decay must be in [0, 1), got " + weightDecay);
        }
        if (!(clipNorm >= 0) || !Float.isFinite(clipNorm)) {
            throw new IllegalArgumentException("training.clip-norm must be >= 0 (0 disables it), got " + clipNorm);
        }
        atLeast(documentEpochs, 1, "training.documents.epochs");
        atLeast(editEpochs, 1, "training.edits.epochs");
        atLeast(sequencesPerStep, 1, "training.step.max-sequences");
        Objects.requireNonNull(maxYield, "training.yield.max");
        Objects.requireNonNull(mwi, "training.mwi");
        Objects.requireNonNull(mwiScope, "training.mwi.scope");
        if (!EDIT_METHODS.contains(editMethod)) {
            throw new IllegalArgumentException("training.edits.method must be one of " + EDIT_METHODS + ", got " + editMethod);
        }
        if (editLocation != null && editLocation.isBlank()) {
            throw new IllegalArgumentException("training.edits.location must name an adapter module, got a blank one");
        }
        if (maxYield.isNegative()) {
            throw new IllegalArgumentException("training.yield.max must be >= 0, got " + maxYield);
        }
        if (mwiScope == MwiScope.DOCUMENTS && !(editMethod.equals(LocalizedEditLearner.KEYS_NAME) && adapter instanceof AdapterSpec.Lora)) {
            // Only then do edits train tensors of their own (a dense delta beside the LoRA pairs) that the slow copy can leave out.
            throw new IllegalArgumentException("training.mwi.scope documents needs edits in tensors of their own: training.edits.method "
                    + LocalizedEditLearner.KEYS_NAME + " on a LoRA adapter, got " + editMethod + " on " + adapter);
        }
    }

    /** The edit learners by name. */
    public static final List<String> EDIT_METHODS = List.of(LocalizedEditLearner.NAME, LocalizedEditLearner.KEYS_NAME, BreadthFirstEditLearner.NAME);

    /**
     * The defaults for a model family: LoRA rank 8, α 16 on the attention and MLP output projections
     * ({@code c_attn} + {@code mlp.c_proj} for GPT-2; {@code q_proj} + {@code v_proj} +
     * {@code down_proj} for Llama), batches of 16 records or 100 ms, a queue of 256, AdamW without decay at
     * {@link #DOCUMENT_LR} for documents and {@link #EDIT_LR} for {@code ft-bf} edits, clip 1, one pass over documents, edits by key-preconditioned LocFT-BF ({@link #DEFAULT_EDIT_METHOD};
     * {@code ft-bf} would take eight passes), no MWI ({@link #OFF}). The batch wait is short because it only
     * matters when records are sparse (a backlog fills batches at once), and then it is pure latency: a lone
     * document waits the whole window before training starts.
     */
    public static TrainingSettings defaults(ModelConfig.Family family) {
        List<String> targets = family == ModelConfig.Family.GPT2
                ? List.of("c_attn", "mlp.c_proj")
                : List.of("q_proj", "v_proj", "down_proj");
        return new TrainingSettings(16, Duration.ofMillis(100), 256, new AdapterSpec.Lora(8, 16f, targets),
                DOCUMENT_LR, EDIT_LR, 0f, 1f, 1, 8, 8, Duration.ofSeconds(2), 1234L, OFF, MwiScope.ALL, DEFAULT_EDIT_METHOD, null, null);
    }

    /**
     * The document learning rate of the defaults, chosen by {@code bench documents} (the server's training worker and
     * quality gate, world documents, 8 per version; README): over 1,000 documents, from the eighth version on nearly
     * every version at 1e-3 raised old-world perplexity by more than the gate's 5 % (114 of 125 rejected, 8.8 % of the
     * records served), 3e-4 let the served model drift to old-world perplexity 4.52 and QA 83 %, and 1e-4 served every record,
     * lowered the documents' answer NLL most per record kept (4.37 to 3.65, against 3.97 at 1e-3) and kept QA at 98 %.
     */
    public static final float DOCUMENT_LR = 1e-4f;

    /** The {@code ft-bf} edit learning rate of the defaults: the single rate documents and edits shared before stop 18. */
    public static final float EDIT_LR = 1e-3f;

    /**
     * τ = 0: each version holds the trained weights. Off by default because {@code eval forgetting} measured no
     * retention gain from MWI on the default model, while the slow copy lags the edits it should serve (README).
     */
    public static final MwiSettings OFF = new MwiSettings(0, 1, MwiSettings.ResetPolicy.NEVER);

    /**
     * The edit learner of the defaults: LocFT-BF on a dense delta, stepped in the key metric of preserved questions
     * ({@code locft-keys}). {@code bench edits} (100 edits, 10 per version, default gate) served 97 % of the edits
     * with every version promoted, against 36 % and 5 of 10 for {@code locft-bf} on the LoRA pair (README).
     */
    public static final String DEFAULT_EDIT_METHOD = LocalizedEditLearner.KEYS_NAME;

    /** These settings with another edit learner and location (null: the default location). */
    public TrainingSettings withEdits(String method, String location) {
        return new TrainingSettings(maxBatchRecords, maxBatchDelay, queueCapacity, adapter, learningRate, editLearningRate, weightDecay,
                clipNorm, documentEpochs, editEpochs, sequencesPerStep, maxYield, seed, mwi, mwiScope, method, location, editPreserve);
    }

    /** These settings with another file of preserved texts for {@code locft-keys} (null: the default model's questions). */
    public TrainingSettings withEditPreserve(Path file) {
        return new TrainingSettings(maxBatchRecords, maxBatchDelay, queueCapacity, adapter, learningRate, editLearningRate, weightDecay,
                clipNorm, documentEpochs, editEpochs, sequencesPerStep, maxYield, seed, mwi, mwiScope, editMethod, editLocation, file);
    }

    /** Whether versions publish a momentum-interpolated slow copy rather than the trained weights. */
    public boolean interpolates() {
        return mwi.tau() > 0;
    }

    /** What versions hold, in a phrase for logs and bench headers. */
    public String describeMwi() {
        return !interpolates() ? "no MWI"
                : "versions hold the MWI slow copy (τ " + (float) mwi.tau() + " every " + mwi.every() + " steps, reset " + mwi.reset()
                        + (mwiScope == MwiScope.DOCUMENTS ? ", of the documents' tensors; edits served as trained)" : ")");
    }

    /** These settings with another weight interpolation over every tensor. */
    public TrainingSettings withMwi(MwiSettings m) {
        return withMwi(m, MwiScope.ALL);
    }

    /** These settings with another weight interpolation over the tensors of {@code scope}. */
    public TrainingSettings withMwi(MwiSettings m, MwiScope scope) {
        return new TrainingSettings(maxBatchRecords, maxBatchDelay, queueCapacity, adapter, learningRate, editLearningRate, weightDecay,
                clipNorm, documentEpochs, editEpochs, sequencesPerStep, maxYield, seed, m, scope, editMethod, editLocation, editPreserve);
    }

    /** These settings with another adapter. */
    public TrainingSettings withAdapter(AdapterSpec spec) {
        return new TrainingSettings(maxBatchRecords, maxBatchDelay, queueCapacity, spec, learningRate, editLearningRate, weightDecay,
                clipNorm, documentEpochs, editEpochs, sequencesPerStep, maxYield, seed, mwi, mwiScope, editMethod, editLocation, editPreserve);
    }

    /** These settings with other batch limits. */
    public TrainingSettings withBatching(int records, Duration delay, int capacity) {
        return new TrainingSettings(records, delay, capacity, adapter, learningRate, editLearningRate, weightDecay,
                clipNorm, documentEpochs, editEpochs, sequencesPerStep, maxYield, seed, mwi, mwiScope, editMethod, editLocation, editPreserve);
    }

    /** These settings with another learning rate of {@code ft-bf} edits. */
    public TrainingSettings withEditLearningRate(float lr) {
        return new TrainingSettings(maxBatchRecords, maxBatchDelay, queueCapacity, adapter, learningRate, lr, weightDecay,
                clipNorm, documentEpochs, editEpochs, sequencesPerStep, maxYield, seed, mwi, mwiScope, editMethod, editLocation, editPreserve);
    }

    /** These settings with another document learning rate and number of passes. */
    public TrainingSettings withSchedule(float lr, int docEpochs, int edEpochs) {
        return new TrainingSettings(maxBatchRecords, maxBatchDelay, queueCapacity, adapter, lr, editLearningRate, weightDecay,
                clipNorm, docEpochs, edEpochs, sequencesPerStep, maxYield, seed, mwi, mwiScope, editMethod, editLocation, editPreserve);
    }

    private static void atLeast(int value, int min, String key) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", got " + value);
        }
    }

    private static void positive(Duration d, String key) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, got " + d);
        }
    }
}
