package dev.freshet.server.training;

import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.streams.record.EditRecord;
import java.util.List;

/**
 * How a tenant's adapter applies edits: breadth-first fine-tuning of the whole adapter on the target tokens
 * ({@link BreadthFirstEditLearner}, {@code ft-bf}) or LocFT-BF at one location ({@link LocalizedEditLearner},
 * {@code locft-bf}, or {@code locft-keys} stepped in the key metric of preserved questions); {@code
 * training.edits.method} picks one ({@link #of}).
 *
 * <p>Same threading and refusal rules as {@link DocumentLearner}.
 */
public interface EditLearner {

    /** The method name recorded in manifests and metrics, e.g. {@code ft-bf} or {@code locft-bf}. */
    String method();

    /**
     * The adapter a new tenant gets: {@code configured}, or what this learner needs on top of it (a dense delta where
     * {@code locft-keys} edits).
     */
    default AdapterSpec adapterSpec(AdapterSpec configured, ModelConfig config) {
        return configured;
    }

    /** Applies {@code edits}, one tenant's share of a micro-batch, to {@code adapter}. */
    LearnResult learn(TenantAdapter adapter, List<EditRecord> edits);

    /** The learner {@link TrainingSettings#editMethod()} names. */
    static EditLearner of(TrainingSettings settings) {
        return switch (settings.editMethod()) {
            case LocalizedEditLearner.NAME, LocalizedEditLearner.KEYS_NAME -> LocalizedEditLearner.of(settings);
            case BreadthFirstEditLearner.NAME -> BreadthFirstEditLearner.of(settings);
            default -> throw new IllegalArgumentException("no edit learner named " + settings.editMethod());
        };
    }
}
