package dev.freshet.adaptation.editing;

import ai.djl.ndarray.NDArray;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.editing.EditResult.EditStep;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.train.GradientStep;
import dev.freshet.adaptation.train.StepResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/** What both edit orders share: the localized trainable set, the step hooks, one (skippable) step. */
abstract class LocalizedTraining implements EditTrainer {

    final LanguageModel model;
    final Adapter adapter;
    final List<String> modules;
    final EditSettings settings;
    /** The live adapter tensors of {@link #modules} (a subset of the adapter's): the only arrays updated. */
    final Map<String, NDArray> trainable = new LinkedHashMap<>();
    private final List<Consumer<StepResult>> hooks = new ArrayList<>();
    private final List<Visit> visitHooks = new ArrayList<>();
    /** Arrays read in place of the adapter's own of the same names in every forward pass; empty: the adapter's. */
    private Map<String, NDArray> servedOver = Map.of();
    AnswerEnding ending = AnswerEnding.EOS;

    LocalizedTraining(LanguageModel model, Adapter adapter, List<String> modules, EditSettings settings) {
        if (!adapter.modules().containsAll(modules) || modules.isEmpty()) {
            throw new IllegalArgumentException("edit location " + modules + " must be a non-empty subset of the adapter's modules " + adapter.modules());
        }
        this.model = model;
        this.adapter = adapter;
        this.modules = List.copyOf(modules);
        this.settings = settings;
        for (Map.Entry<String, NDArray> e : adapter.tensors().entrySet()) {
            if (this.modules.stream().anyMatch(m -> e.getKey().startsWith(m + "."))) {
                trainable.put(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public Adapter adapter() {
        return adapter;
    }

    @Override
    public List<String> modules() {
        return modules;
    }

    @Override
    public EditSettings settings() {
        return settings;
    }

    @Override
    public void afterEachStep(Consumer<StepResult> hook) {
        hooks.add(hook);
    }

    @Override
    public void afterEachVisit(Visit hook) {
        visitHooks.add(hook);
    }

    @Override
    public EditTrainer answersEndWith(AnswerEnding e) {
        this.ending = Objects.requireNonNull(e, "ending");
        return this;
    }

    /**
     * Trains the edits over {@code others} in place of the adapter's tensors of those names (live arrays, read at every
     * step), e.g. the momentum-interpolated slow copy of the tensors documents train, which is what gets served: the edit
     * is then learned in the context it is served in. The trainable tensors are always the adapter's own.
     */
    public void trainOver(Map<String, NDArray> others) {
        this.servedOver = Map.copyOf(others);
    }

    /**
     * One optimizer step on {@code batch}, unless its loss is below {@code skipBelow}: then nothing is
     * updated, not even the optimizer's moments, and the visit is recorded as not applied.
     */
    EditStep visit(GradientStep stepper, List<EditLoss.Example> batch, float skipBelow, int round) {
        List<String> ids = batch.stream().map(EditLoss.Example::id).toList();
        long start = System.nanoTime();
        StepResult r = stepper.step(leaves -> {
            Map<String, NDArray> all = new LinkedHashMap<>(adapter.tensors());
            all.putAll(servedOver);
            all.putAll(leaves);
            return EditLoss.targetMeanLoss(model, adapter.over(all), batch);
        }, settings.learningRate(), skipBelow);
        long nanos = System.nanoTime() - start;
        if (r.applied()) {
            for (Consumer<StepResult> h : hooks) {
                h.accept(r);
            }
        }
        int targetTokens = batch.stream().mapToInt(EditLoss.Example::targetLength).sum();
        for (Visit h : visitHooks) {
            h.visited(r, targetTokens, nanos);
        }
        return new EditStep(round, ids, r.loss(), r.applied());
    }
}
