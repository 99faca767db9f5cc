package dev.freshet.adaptation.editing;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.editing.EditResult.EditStep;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.train.GradientStep;
import dev.freshet.adaptation.train.Optimizer;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.List;

/**
 * The depth-first baseline of LocFT (arXiv 2509.22072, its pipeline analysis; "FT-M"-style sequential editing): each
 * edit alone, batch size 1, stepped until its loss is below {@code stopLoss} or {@code maxStepsPerEdit}
 * steps, before the next edit; no replay. A fresh Adam per edit, as sequential editors re-create theirs.
 *
 * <p>Kept to show, on Freshet's own data, the effect the paper measures: later edits overwrite earlier
 * ones when each is optimised to convergence in isolation.
 */
public final class DepthFirstEditor extends LocalizedTraining {

    public DepthFirstEditor(LanguageModel model, Adapter adapter, List<String> modules, EditSettings settings) {
        super(model, adapter, modules, settings);
    }

    @Override
    public EditResult apply(List<WorldEdit> window) {
        long start = System.nanoTime();
        List<EditStep> steps = new ArrayList<>();
        boolean allConverged = true;
        double lastLossSum = 0;
        int round = 0;
        for (WorldEdit edit : window) {
            round++;
            List<EditLoss.Example> one = List.of(EditLoss.encode(model, edit, ending));
            float last = Float.NaN;
            boolean converged = false;
            try (Optimizer adam = new Optimizer.AdamW(model.manager(), settings.learningRate(), 0f)) {
                GradientStep stepper = new GradientStep(trainable, adam, settings.clipNorm());
                for (int s = 0; s < settings.maxStepsPerEdit() && !converged; s++) {
                    EditStep step = visit(stepper, one, settings.stopLoss(), round);
                    steps.add(step);
                    last = step.loss();
                    converged = last < settings.stopLoss();
                }
            }
            allConverged &= converged;
            lastLossSum += last;
        }
        float finalLoss = window.isEmpty() ? Float.NaN : (float) (lastLossSum / window.size());
        return new EditResult(steps, round, finalLoss, allConverged, window.size(), (System.nanoTime() - start) / 1e9);
    }
}
