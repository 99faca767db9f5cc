package dev.freshet.server.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterManifest;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.mwi.MomentumInterpolation;
import dev.freshet.adaptation.train.GradientStep;
import dev.freshet.adaptation.train.Optimizer;
import dev.freshet.adaptation.train.StepResult;
import dev.freshet.adaptation.train.TokenBatch;
import dev.freshet.adaptation.train.WeightedLoss;
import dev.freshet.streams.record.TenantId;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One tenant's fast adapter as the learners see it: the live adapter tensors, trained in place, with
 * the AdamW state that carries over from round to round (it is not persisted: after a restart the
 * adapter resumes from its latest stored version with fresh moments).
 *
 * <p>With MWI on ({@link TrainingSettings#interpolates()}), a slow copy follows the trained weights with
 * momentum after every applied step, and each version holds the slow copy: what is served is the slow one.
 * A round that publishes a version is MWI's window (its reset policy applies there). The slow copy is not
 * persisted apart from the versions, so a reloaded tenant resumes with fast = slow = its stored version. Under
 * {@link MwiScope#DOCUMENTS} it follows every tensor but the edit learner's dense deltas, which versions hold as trained
 * (a tenant stored before {@code locft-keys}, with no dense delta, has its edits followed too), its clock is the
 * documents' optimizer steps only, and edits train over it ({@link #editContext}): a version is then the slow documents'
 * tensors with edit deltas trained for exactly those.
 *
 * <p>Learners build {@link TokenBatch}es and call {@link #train}; they never touch the optimizer.
 * Used by the training thread only. Closing it frees the adapter's and the optimizer's native memory.
 */
public final class TenantAdapter implements AutoCloseable {

    private final TenantId tenant;
    private final LanguageModel base;
    private final Adapter adapter;
    private final Optimizer optimizer;
    private final GradientStep step;
    /** The LoRA adapter's dense deltas ({@link AdapterSpec.Lora#dense}), left to the edit learner; usually none. */
    private final Map<String, NDArray> editOnly;
    private final float documentLearningRate;
    private final float editLearningRate;
    private final StepGate gate;
    private final TrainingEvents events;
    private final MomentumInterpolation mwi; // null: versions hold the trained weights
    /** MWI's clock: every step (scope all), or only the steps of {@link #train}, the ones that move what it follows. */
    private final boolean mwiOnOwnStepsOnly;
    private final Map<Object, Object> learnerState = new IdentityHashMap<>();
    private RoundMetrics.Meter meter = new RoundMetrics.Meter();
    private String method = "unknown";

    TenantAdapter(TenantId tenant, LanguageModel base, Adapter adapter, TrainingSettings settings, StepGate gate, TrainingEvents events) {
        this.tenant = tenant;
        this.base = base;
        this.adapter = adapter;
        this.optimizer = new Optimizer.AdamW(adapter.manager(), settings.learningRate(), settings.weightDecay());
        this.editOnly = editOnly(adapter);
        Map<String, NDArray> stepped = new LinkedHashMap<>(adapter.tensors());
        stepped.keySet().removeAll(editOnly.keySet());
        this.step = new GradientStep(stepped, optimizer, settings.clipNorm());
        this.documentLearningRate = settings.learningRate();
        this.editLearningRate = settings.editLearningRate();
        this.gate = gate;
        this.events = events;
        this.mwi = !settings.interpolates() ? null
                : settings.mwiScope() == MwiScope.DOCUMENTS ? MomentumInterpolation.resumingFrom(adapter, settings.mwi(), name -> !editOnly.containsKey(name))
                : MomentumInterpolation.resumingFrom(adapter, settings.mwi());
        this.mwiOnOwnStepsOnly = settings.mwiScope() == MwiScope.DOCUMENTS;
    }

    /**
     * The tensors {@link #train} leaves alone: a LoRA adapter's dense deltas ({@link AdapterSpec.Lora#dense}), which
     * only the edit learner that asked for them trains.
     */
    private static Map<String, NDArray> editOnly(Adapter adapter) {
        Map<String, NDArray> dense = new LinkedHashMap<>();
        if (adapter.manifest().spec() instanceof AdapterSpec.Lora lora && !lora.dense().isEmpty()) {
            adapter.tensors().forEach((name, t) -> {
                if (name.endsWith(".delta")) {
                    dense.put(name, t);
                }
            });
        }
        return dense;
    }

    /** The tenant. */
    public TenantId tenant() {
        return tenant;
    }

    /** The frozen base model (tokenizer, context length, forward pass). */
    public LanguageModel base() {
        return base;
    }

    /** The longest training sequence in tokens: the model's positions plus the shifted target. */
    public int maxSequenceTokens() {
        return base.config().maxPositions() + 1;
    }

    /** The learning rate of document training ({@code training.lr}). */
    public float documentLearningRate() {
        return documentLearningRate;
    }

    /** The learning rate of {@code ft-bf} edits ({@code training.edits.lr}). */
    public float editLearningRate() {
        return editLearningRate;
    }

    /**
     * One AdamW step at rate {@code lr} on the token-weighted cross-entropy of {@code batch} (see {@link WeightedLoss}),
     * after giving way to serving. A non-finite loss or gradient refuses the step and leaves the
     * adapter untouched; the caller decides which record to blame.
     */
    public StepResult train(TokenBatch batch, float lr) {
        gate.awaitTurn();
        long start = System.nanoTime();
        StepResult r = step.step(leaves -> {
            // Arrays made here belong to the step's scope, which GradientStep closes after the update.
            NDManager m = base.manager();
            Map<String, NDArray> all = leaves;
            if (!editOnly.isEmpty()) { // the forward pass needs the dense deltas as they are
                all = new LinkedHashMap<>(editOnly);
                all.putAll(leaves);
            }
            NDArray logits = base.logits(base.weights(), adapter.over(all), batch.inputsArray(m)); // [B, T, V]
            return WeightedLoss.of(logits, batch.targetsArray(m), batch.weightsArray(m), batch.predicted());
        }, lr);
        record(r, batch.predicted(), System.nanoTime() - start, true);
        return r;
    }

    /**
     * What {@code learner} keeps for this tenant from round to round (LocFT-BF's editor and replay buffer), made by
     * {@code make} on first use. It lives as long as this adapter: a reloaded tenant starts afresh.
     */
    @SuppressWarnings("unchecked")
    <T> T learnerState(Object learner, Function<TenantAdapter, T> make) {
        return (T) learnerState.computeIfAbsent(learner, k -> make.apply(this));
    }

    /** Gives way to serving; for learners that step the adapter themselves rather than through {@link #train}. */
    void awaitTurn() {
        gate.awaitTurn();
    }

    /**
     * Records a step on this adapter's tensors (from {@link #train}, or a learner that steps them itself): the
     * round's metrics, the training events, and MWI's slow copy. A batch skipped for an already low loss is no
     * step and no refusal, so it is not recorded.
     */
    void stepped(StepResult r, int predicted, long nanos) {
        record(r, predicted, nanos, false);
    }

    /**
     * @param own a step of this adapter's optimizer ({@link #train}); under the documents scope only these tick MWI: an
     *     edit round's tens of steps on the edit deltas would otherwise pull the slow copy of the documents' tensors onto
     *     the trained ones between two document steps, and the slow copy would hold back nothing
     */
    private void record(StepResult r, int predicted, long nanos, boolean own) {
        if (r.skipped()) {
            return;
        }
        if (mwi != null && (own || !mwiOnOwnStepsOnly)) {
            mwi.afterStep(r);
        }
        meter.step(r.applied(), r.loss(), predicted, nanos);
        events.stepped(tenant, method, r, predicted, nanos);
    }

    /**
     * What an edit learner trains over besides its own tensors: under the documents scope, the slow copy of the documents'
     * tensors (live), so an edit is learned over the weights it will be served with; otherwise nothing (the trained ones).
     */
    Map<String, NDArray> editContext() {
        return mwi != null && mwiOnOwnStepsOnly ? mwi.slowTensors() : Map.of();
    }

    /** The live adapter (its manifest is the last stored version's, or version 0). */
    Adapter adapter() {
        return adapter;
    }

    /** Labels the steps that follow with a learner's method name. */
    void beginPhase(String learnerMethod) {
        this.method = learnerMethod;
    }

    /** What the steps since the last durable version measured. */
    RoundMetrics roundMetrics(int records) {
        return meter.finish(records);
    }

    /** Starts measuring afresh, once a version holding the measured steps is durable: MWI's window boundary. */
    void resetRound() {
        meter = new RoundMetrics.Meter();
        if (mwi != null) {
            mwi.onWindowBoundary();
        }
    }

    /** An immutable copy of the weights to publish (the slow copy under MWI) under {@code manifest}; the caller owns it. */
    Adapter snapshot(AdapterManifest manifest) {
        return mwi == null ? adapter.copy(manifest) : mwi.slowAdapter(manifest);
    }

    @Override
    public void close() {
        if (mwi != null) {
            mwi.close();
        }
        optimizer.close();
        adapter.close();
    }
}
