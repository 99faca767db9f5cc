package dev.freshet.adaptation.camels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.google.gson.GsonBuilder;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.WorldDocument;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * CaMeLS meta-training (Hu et al., arXiv 2305.15076 §3): learns the weighting model φ so that one SGD step on a
 * document's token-weighted loss lets the base model answer that document's questions, without moving its
 * predictions on unrelated text.
 *
 * <p>Each outer step takes {@link MetaConfig#docsPerStep()} training documents: token weights {@code w = f_φ(doc)}
 * without gradient; the exact ∂L_out/∂w by {@link MetaGradient} (one inner SGD step from the fixed base θ, outer
 * loss = answer NLL + λ·KL on unrelated texts); backpropagation of {@code Σ (∂L_out/∂w)·w(φ)} through the weighting
 * model only; an Adam step on φ. The base model is never changed: every outer step starts from the same θ (the
 * reference also resets θ, every 24 documents). By default the step's documents share one inner step, which
 * makes the meta-gradient first-order (leak-free, stack.md "Second-order gradients"); {@link MetaConfig#chained()}
 * chains one step per document as the reference does, exact through finite-difference Hessian-vector products
 * (still first-order autograd only). The base should already
 * know the question format; Freshet's default model was pretrained on QA texts of its world, standing in for the
 * reference's QA-tuned proxy.
 *
 * <p>Writes into the output folder: {@code checkpoint/} (resumable, every {@link MetaConfig#checkpointEvery()}
 * steps), {@code best/} (F16 weighting model with the lowest validation outer loss), {@code last/}, and
 * {@code meta-training.json} (history). Progress goes to the log: step, outer loss and its parts, mean weight,
 * seconds per step, and every {@link MetaConfig#memoryEvery()} steps the process's resident memory.
 */
public final class MetaTrainer implements AutoCloseable {

    /** One outer step, as logged. */
    public record StepLog(int step, double outerLoss, double answerNll, double localityKl, double meanWeight, double maxWeight, double seconds,
            long rssBytes, long heapBytes) {}

    /** A validation pass: mean outer loss over the validation documents under φ at {@code step}. */
    public record Validation(int step, double outerLoss, double answerNll) {}

    /** What a run did; {@code uniformValidation}/{@code noUpdateValidation} are the same measure for w = 1 and w = 0. */
    public record Report(int steps, List<StepLog> history, List<Validation> validations, double bestValidation, int bestStep,
            double uniformValidation, double noUpdateValidation) {}

    private final LanguageModel base;
    private final WeightingModel weighting;
    private final MetaConfig cfg;
    private final List<WorldDocument> train;
    private final List<WorldDocument> validation;
    private final List<String> unrelated;
    private final PrintStream log;
    private final MetaGradient metaGradient;
    private final NDManager preconditionerManager; // null: plain SGD inner steps
    private final String innerDescription;

    /**
     * @param inner θ, what the inner step updates (see {@link InnerParameters})
     * @param train documents with questions to meta-train on
     * @param validation held-out documents with questions (may be empty)
     * @param unrelated texts for the locality term (e.g. {@code World.heldOutTexts()})
     */
    public MetaTrainer(InnerParameters inner, WeightingModel weighting, MetaConfig cfg, List<WorldDocument> train, List<WorldDocument> validation,
            List<String> unrelated, PrintStream log) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("meta-training needs training documents");
        }
        this.base = inner.model();
        this.weighting = weighting;
        this.cfg = cfg;
        this.train = List.copyOf(train);
        this.validation = List.copyOf(validation);
        this.unrelated = List.copyOf(unrelated);
        this.log = log;
        MetaGradient exact = new MetaGradient(inner, cfg.innerLr(), cfg.locality(), cfg.fdStep(), false, cfg.chained());
        if (cfg.preconditionDocs() > 0) {
            this.preconditionerManager = base.manager().newSubManager();
            exact = exact.withPreconditioner(AdamPreconditioner.estimate(inner, preconditionBatches(), 1e-8, preconditionerManager, log));
        } else {
            this.preconditionerManager = null;
        }
        this.metaGradient = exact;
        this.innerDescription = inner.description();
    }

    /** Runs up to {@link MetaConfig#steps()}, continuing from {@code outDir/checkpoint} when {@code resume} and one exists. */
    public Report train(Path outDir, boolean resume) throws IOException {
        Files.createDirectories(outDir);
        Path checkpoint = outDir.resolve("checkpoint");
        try (MetaAdam adam = new MetaAdam(weighting.manager(), cfg.metaLr())) {
            int start = 0;
            List<StepLog> history = new ArrayList<>();
            List<Validation> validations = new ArrayList<>();
            double best = Double.POSITIVE_INFINITY;
            int bestStep = 0;
            Optional<MetaCheckpoint.State> restored = resume ? MetaCheckpoint.restore(checkpoint, weighting, adam) : Optional.empty();
            if (restored.isPresent()) {
                MetaCheckpoint.State s = restored.get();
                if (s.innerStep() != null && !s.innerStep().equals(innerStep())) {
                    // Another inner step is another objective: continuing would train a model of neither.
                    throw new IOException("checkpoint " + checkpoint + " was meta-trained with inner step '" + s.innerStep() + "', not '" + innerStep()
                            + "'; resume it the same way (--chained, --precondition-docs, --inner-lr, --inner)");
                }
                start = s.step();
                history.addAll(s.history());
                validations.addAll(s.validations());
                best = s.bestValidation();
                bestStep = s.bestStep();
                log.printf("resumed from %s at step %d (best validation %.4f at step %d)%n", checkpoint, start, best, bestStep);
            }
            log.printf("meta-training: %d train / %d validation documents, θ = %s, φ = %d values, α %.2g, λ %.2g, meta lr %.2g, %d docs/step, %s%s%n",
                    train.size(), validation.size(), innerDescription, weighting.parameterCount(), cfg.innerLr(),
                    cfg.locality(), cfg.metaLr(), cfg.docsPerStep(), cfg.chained() ? "one inner step per document (chained)" : "one inner step",
                    cfg.preconditionDocs() > 0 ? ", Adam-preconditioned" : " (SGD)");
            double uniform = validationLoss(1.0).total();
            double noUpdate = validationLoss(0.0).total();
            if (start == 0 && !validation.isEmpty()) {
                MetaGradient.Outer v = validationLoss(null);
                validations.add(new Validation(0, v.total(), v.answerNll()));
                log.printf("validation outer loss: no update %.4f, uniform w=1 %.4f, CaMeLS (init, w=%.4f) %.4f%n", noUpdate, uniform,
                        weighting.normalized() ? 1.0 : WeightingModel.INITIAL_WEIGHT, v.total());
            }
            long rssAtStart = NativeMemory.residentBytes();
            for (int step = start + 1; step <= cfg.steps(); step++) {
                StepLog s = step(step, adam);
                history.add(s);
                log.printf("step %5d/%d  outer %.4f (nll %.4f, kl %.5f)  mean w %.4f  max w %.3f  %.2f s/step%n", step, cfg.steps(), s.outerLoss(),
                        s.answerNll(), s.localityKl(), s.meanWeight(), s.maxWeight(), s.seconds());
                if (cfg.memoryEvery() > 0 && step % cfg.memoryEvery() == 0) {
                    log.printf("  memory: RSS %.1f MB (%+.1f MB since this run started), JVM heap committed %.1f MB%n", s.rssBytes() / 1e6,
                            (s.rssBytes() - rssAtStart) / 1e6, s.heapBytes() / 1e6);
                }
                boolean last = step == cfg.steps();
                if (!validation.isEmpty() && ((cfg.validateEvery() > 0 && step % cfg.validateEvery() == 0) || last)) {
                    MetaGradient.Outer o = validationLoss(null);
                    double v = o.total();
                    validations.add(new Validation(step, v, o.answerNll()));
                    boolean better = v < best;
                    if (better) {
                        best = v;
                        bestStep = step;
                        weighting.save(outDir.resolve("best"), DType.F16);
                    }
                    log.printf("  validation outer loss %.4f%s (uniform %.4f, no update %.4f)%n", v, better ? " (best)" : "", uniform, noUpdate);
                }
                if ((cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0) || last) {
                    MetaCheckpoint.save(checkpoint, weighting, adam, new MetaCheckpoint.State(step, best, bestStep, history, validations, innerStep()));
                }
            }
            weighting.save(outDir.resolve("last"), DType.F16);
            Report report = new Report(cfg.steps(), history, validations, best, bestStep, uniform, noUpdate);
            Files.writeString(outDir.resolve("meta-training.json"),
                    new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(Map.of("config", cfg, "report", report)));
            return report;
        }
    }

    /** One outer step on the documents {@link #batchFor} picks. */
    private StepLog step(int step, MetaAdam adam) {
        long t0 = System.nanoTime();
        MetaBatch b = MetaBatch.of(base, batchFor(step), unrelatedFor(step), maxDocTokens(), cfg.unrelatedTokens());
        double[] w = MetaGradient.tokenWeights(weighting, weighting.parameters(), b);
        MetaGradient.Result r = metaGradient.metaGradientOfTokenWeights(b, w);
        try (NDScope scope = new NDScope(); NDManager m = weighting.manager().newSubManager()) {
            Map<String, NDArray> grads = MetaGradient.metaGradientOfWeightingModel(weighting, weighting.parameters(), b, r.tokenWeightGradient(), m);
            adam.update(weighting.parameters(), grads);
        }
        double sum = 0;
        double max = 0;
        for (double x : w) {
            sum += x;
            max = Math.max(max, x);
        }
        return new StepLog(step, r.outer().total(), r.outer().answerNll(), r.outer().localityKl(), sum / b.documentTokens(), max,
                (System.nanoTime() - t0) / 1e9, NativeMemory.residentBytes(), NativeMemory.heapCommittedBytes());
    }

    /**
     * Mean outer loss over the validation documents, in batches of docsPerStep, under φ, or with every weight equal
     * to {@code fixed} when it is not null (1: uniform fine-tuning, 0: no update).
     */
    public MetaGradient.Outer validationLoss(Double fixed) {
        return outerLoss(validation, fixed);
    }

    /**
     * The validation outer loss under a fixed token weighting (e.g. uniform, salient spans, or an evaluation's
     * oracle), each document's weights averaged to 1 as a {@link WeightingModel#normalized() normalised} weighting
     * model's are: it tells whether the objective rewards the weighting the evaluation rewards.
     */
    public MetaGradient.Outer validationLossOf(TokenWeighting fixed) {
        if (validation.isEmpty()) {
            throw new IllegalStateException("no validation documents to compare weightings on");
        }
        return meanOuterLoss(validation, (docs, b) -> averagedToOne(fixed, docs, b));
    }

    /** {@link #validationLoss} over any documents, e.g. the training set. */
    public MetaGradient.Outer outerLoss(List<WorldDocument> documents, Double fixed) {
        return meanOuterLoss(documents, (docs, b) -> fixed == null ? MetaGradient.tokenWeights(weighting, weighting.parameters(), b) : b.constantWeights(fixed));
    }

    /** Mean outer loss over the documents in batches of docsPerStep, each batch's token weights [D, T] from {@code weights}. */
    private MetaGradient.Outer meanOuterLoss(List<WorldDocument> documents, BiFunction<List<WorldDocument>, MetaBatch, double[]> weights) {
        if (documents.isEmpty()) {
            return new MetaGradient.Outer(Double.NaN, Double.NaN, Double.NaN);
        }
        double total = 0;
        double nll = 0;
        double kl = 0;
        int batches = 0;
        for (int from = 0; from < documents.size(); from += cfg.docsPerStep()) {
            List<WorldDocument> docs = documents.subList(from, Math.min(documents.size(), from + cfg.docsPerStep()));
            MetaBatch b = MetaBatch.of(base, docs, unrelatedFor(0), maxDocTokens(), cfg.unrelatedTokens());
            MetaGradient.Outer o = metaGradient.outerLoss(b, weights.apply(docs, b));
            total += o.total();
            nll += o.answerNll();
            kl += o.localityKl();
            batches++;
        }
        return new MetaGradient.Outer(total / batches, nll / batches, kl / batches);
    }

    /** A fixed weighting's weights for a batch's rows, each document's averaged to 1 over all its windows. */
    private double[] averagedToOne(TokenWeighting fixed, List<WorldDocument> docs, MetaBatch b) {
        double[] w = new double[b.docs() * b.length()];
        int row = 0;
        for (WorldDocument d : docs) {
            List<float[]> windows = new ArrayList<>();
            double sum = 0;
            int count = 0;
            for (DocumentTokens t : DocumentTokens.full(base, d.text()).windows(maxDocTokens())) {
                float[] x = fixed.weights(t);
                windows.add(x);
                for (int j = 1; j < x.length; j++) {
                    sum += x[j];
                    count++;
                }
            }
            for (float[] x : windows) {
                for (int j = 1; j < x.length; j++) { // weight j (token j's) scales the loss of target j − 1
                    w[row * b.length() + j - 1] = sum == 0 ? 0 : x[j] * count / sum;
                }
                row++;
            }
        }
        return w;
    }

    private int maxDocTokens() {
        return Math.min(cfg.maxDocTokens(), weighting.maxTokens());
    }

    /** The inner step this run differentiates through, as recorded in its checkpoints. */
    private String innerStep() {
        return (cfg.chained() ? "chained" : "one step") + ", " + (cfg.preconditionDocs() > 0 ? "Adam-preconditioned (" + cfg.preconditionDocs()
                + " documents)" : "SGD") + ", α " + cfg.innerLr() + ", θ = " + innerDescription;
    }

    /** Frees the inner step's preconditioner, if any. */
    @Override
    public void close() {
        if (preconditionerManager != null) {
            preconditionerManager.close();
        }
    }

    /** The first {@link MetaConfig#preconditionDocs()} training documents, in batches of a step's size. */
    private List<MetaBatch> preconditionBatches() {
        List<MetaBatch> out = new ArrayList<>();
        int n = Math.min(cfg.preconditionDocs(), train.size());
        for (int from = 0; from < n; from += cfg.docsPerStep()) {
            out.add(MetaBatch.of(base, train.subList(from, Math.min(n, from + cfg.docsPerStep())), List.of(),
                    maxDocTokens(), cfg.unrelatedTokens()));
        }
        return out;
    }

    /** The documents of a step: an epoch-wise shuffle seeded by (seed, epoch), so a resumed run sees the same order. */
    List<WorldDocument> batchFor(int step) {
        List<WorldDocument> out = new ArrayList<>();
        int n = train.size();
        for (int j = 0; j < cfg.docsPerStep(); j++) {
            long global = (long) (step - 1) * cfg.docsPerStep() + j;
            int epoch = (int) (global / n);
            out.add(train.get(permutation(n, cfg.seed() * 1_000_003L + epoch)[(int) (global % n)]));
        }
        return out;
    }

    /** Unrelated texts of a step (step 0: the fixed validation set). */
    private List<String> unrelatedFor(int step) {
        List<String> out = new ArrayList<>();
        for (int j = 0; j < cfg.unrelatedPerStep() && !unrelated.isEmpty(); j++) {
            out.add(unrelated.get((int) (((long) step * cfg.unrelatedPerStep() + j) % unrelated.size())));
        }
        return out;
    }

    private long cachedSeed;
    private int[] cachedPermutation;

    /** A permutation of 0..n−1 from the seed; one epoch's order, kept until the next epoch asks for another. */
    private int[] permutation(int n, long seed) {
        if (cachedPermutation == null || cachedSeed != seed) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                idx.add(i);
            }
            Collections.shuffle(idx, new Random(seed));
            cachedPermutation = idx.stream().mapToInt(Integer::intValue).toArray();
            cachedSeed = seed;
        }
        return cachedPermutation;
    }
}
