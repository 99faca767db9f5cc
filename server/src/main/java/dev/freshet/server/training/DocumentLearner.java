package dev.freshet.server.training;

import dev.freshet.streams.record.DocumentRecord;
import java.util.List;

/**
 * How a tenant's adapter learns from documents. The default is plain fine-tuning on the text with
 * every token weighted alike ({@link WeightedDocumentLearner#uniform}); CaMeLS plugs in here with
 * learned token weights.
 *
 * <p>Called on the training thread only. Implementations take steps only through
 * {@link TenantAdapter#train} (which yields to serving and may abandon the round when the worker
 * stops) and blame a refused step on the record that causes it when trained alone.
 */
public interface DocumentLearner {

    /** The method name recorded in manifests and metrics, e.g. {@code uniform} or {@code camels}. */
    String method();

    /** Trains {@code adapter} on {@code documents}, one tenant's share of a micro-batch. */
    LearnResult learn(TenantAdapter adapter, List<DocumentRecord> documents);
}
