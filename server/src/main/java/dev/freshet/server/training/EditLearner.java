package dev.freshet.server.training;

import dev.freshet.streams.record.EditRecord;
import java.util.List;

/**
 * How a tenant's adapter applies edits: breadth-first fine-tuning of the whole adapter on the target tokens
 * ({@link BreadthFirstEditLearner}, {@code ft-bf}) or LocFT-BF at one location ({@link LocalizedEditLearner},
 * {@code locft-bf}); {@code training.edits.method} picks one ({@link #of}).
 *
 * <p>Same threading and refusal rules as {@link DocumentLearner}.
 */
public interface EditLearner {

    /** The method name recorded in manifests and metrics, e.g. {@code ft-bf} or {@code locft-bf}. */
    String method();

    /** Applies {@code edits}, one tenant's share of a micro-batch, to {@code adapter}. */
    LearnResult learn(TenantAdapter adapter, List<EditRecord> edits);

    /** The learner {@link TrainingSettings#editMethod()} names. */
    static EditLearner of(TrainingSettings settings) {
        return switch (settings.editMethod()) {
            case LocalizedEditLearner.NAME -> LocalizedEditLearner.of(settings);
            case BreadthFirstEditLearner.NAME -> BreadthFirstEditLearner.of(settings);
            default -> throw new IllegalArgumentException("no edit learner named " + settings.editMethod());
        };
    }
}
