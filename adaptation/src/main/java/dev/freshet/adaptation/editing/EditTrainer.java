package dev.freshet.adaptation.editing;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.train.StepResult;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Writes fact edits into the localized parameters of an {@link Adapter} (a dense delta on one module, a
 * few modules, or a whole layer): the "localized fine-tuning" of LocFT (arXiv 2509.22072, method).
 *
 * <p>Only the adapter tensors of the chosen modules are trained, in place; the base weights and every
 * other adapter tensor stay bit-identical. Each edit is trained as {@code prompt → ' ' + target + EOS}
 * with the loss on the target tokens only. The two implementations differ only in the order in which
 * they visit edits ({@link EditOrder}): {@link BreadthFirstEditor} is LocFT-BF, {@link DepthFirstEditor}
 * the depth-first baseline the paper shows to be the cause of fine-tuning's poor editing results.
 *
 * <p>Not thread-safe, and one trainer per process at a time: DJL allows one gradient collector.
 */
public interface EditTrainer {

    /**
     * Trains on one window of edits (plus, for breadth-first, replayed earlier edits).
     *
     * @param window edits in arrival order; a later edit of the same prompt supersedes an earlier one
     * @return what was visited, in order, and how training ended
     */
    EditResult apply(List<WorldEdit> window);

    /** The adapter being trained (its tensors change in place). */
    Adapter adapter();

    /** The adapter modules this trainer updates. */
    List<String> modules();

    EditSettings settings();

    /**
     * Adds a hook called after every applied optimizer step, e.g.
     * {@code trainer.afterEachStep(mwi::afterStep)} to keep a momentum-interpolated slow copy.
     */
    void afterEachStep(Consumer<StepResult> hook);

    /**
     * Adds a hook called after every visited mini-batch, stepped, skipped or refused: where a server meters its
     * steps and gives way to requests between them.
     */
    void afterEachVisit(Visit hook);

    /** One visited mini-batch, as {@link #afterEachVisit} reports it. */
    @FunctionalInterface
    interface Visit {
        /**
         * @param result the step (not applied when skipped or refused)
         * @param targetTokens target tokens in the batch: the tokens the loss is on
         * @param nanos the visit's wall-clock time
         */
        void visited(StepResult result, int targetTokens, long nanos);
    }

    /**
     * Ends every trained answer as {@code ending} says (default {@link AnswerEnding#EOS}, the paper's form).
     *
     * @return this trainer
     */
    EditTrainer answersEndWith(AnswerEnding ending);

    /** How a trained answer ends. */
    enum AnswerEnding {
        /** {@code ' ' + target + EOS}, as the LocFT paper trains. */
        EOS,
        /**
         * {@code ' ' + target + '\n'}: the QA format's own ending. For a model that goes on to see QA text, as a
         * server's quality gate and its completions do: EOS after an answer teaches that answers end the text.
         */
        NEWLINE
    }

    /** Why {@code edit} cannot be trained on {@code model} (its target does not fit the context), if it cannot. */
    static Optional<String> unfit(LanguageModel model, WorldEdit edit, AnswerEnding ending) {
        try {
            EditLoss.encode(model, edit, ending);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }
}
