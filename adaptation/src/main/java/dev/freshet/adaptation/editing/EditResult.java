package dev.freshet.adaptation.editing;

import java.util.List;

/**
 * What one {@link EditTrainer#apply} did.
 *
 * @param steps every batch visited, in order, including those skipped for a low loss
 * @param rounds breadth-first: epochs run; depth-first: edits trained
 * @param finalLoss breadth-first: the last epoch's mean loss; depth-first: the mean of each edit's last loss
 * @param converged whether training stopped on the loss threshold rather than on a step or epoch limit
 * @param trainedEdits distinct edits trained on (window plus replay)
 * @param seconds wall-clock time
 */
public record EditResult(List<EditStep> steps, int rounds, float finalLoss, boolean converged, int trainedEdits, double seconds) {

    public EditResult {
        steps = List.copyOf(steps);
    }

    /**
     * One visited mini-batch.
     *
     * @param round breadth-first: the epoch (from 1); depth-first: the edit's position in the window (from 1)
     * @param editIds the batch's edits, in batch order
     * @param loss the batch loss before the update (mean over samples of the mean over their target tokens)
     * @param applied false when the batch was skipped (loss under the threshold) or the step was refused
     */
    public record EditStep(int round, List<String> editIds, float loss, boolean applied) {
        public EditStep {
            editIds = List.copyOf(editIds);
        }
    }

    /** The edit ids of each visited batch, in order: what the ordering tests check. */
    public List<List<String>> visitOrder() {
        return steps.stream().map(EditStep::editIds).toList();
    }

    /** Optimizer steps actually applied. */
    public long appliedSteps() {
        return steps.stream().filter(EditStep::applied).count();
    }
}
