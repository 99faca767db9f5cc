package dev.freshet.server.training;

import dev.freshet.streams.record.EditRecord;
import java.util.List;

/**
 * How a tenant's adapter applies edits. The default is localized fine-tuning on the target tokens,
 * breadth-first over the batch's edits ({@link BreadthFirstEditLearner}); LocFT-BF with its own
 * parameter localisation plugs in here.
 *
 * <p>Same threading and refusal rules as {@link DocumentLearner}.
 */
public interface EditLearner {

    /** The method name recorded in manifests and metrics, e.g. {@code ft-bf} or {@code locft-bf}. */
    String method();

    /** Applies {@code edits}, one tenant's share of a micro-batch, to {@code adapter}. */
    LearnResult learn(TenantAdapter adapter, List<EditRecord> edits);
}
