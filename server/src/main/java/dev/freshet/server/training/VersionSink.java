package dev.freshet.server.training;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.streams.record.TenantId;
import java.io.IOException;

/**
 * Where the training worker hands each completed round's adapter version: the seam between
 * training and serving. The serving side's registry implements it (store, gate, promote, publish);
 * {@link LocalStoreSink} only stores.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #accept} returns only once the version is <b>durable</b>: weights and manifest saved
 *       and fsynced under {@link AdapterStore#versionDir} for the candidate's manifest version (use
 *       {@link AdapterStore#save}), <em>also when the quality gate rejects it</em> (the version then
 *       stays unserved, but its manifest must exist: it is what records its records as applied, and
 *       what numbers the next version), so that a restart finds it and the records it covers. Only then
 *       does the worker let the covered records' offsets be committed.
 *   <li>It throws {@link IOException} if the version is not durable; nothing may then be left under
 *       its version directory ({@link Adapter#save} renames atomically). The worker keeps the
 *       records pending and offers them again, in the tenant's next version.
 *   <li>The candidate's manifest is final: version (the tenant's newest stored version + 1), parent
 *       (the version it was trained from), metrics, and {@code extra} holding
 *       {@link CoveredRecords#toJson()}. Whether it is <em>served</em> (the quality gate) is the
 *       sink's decision, and its {@link Outcome} says which. After {@link Outcome#REJECTED} the worker
 *       drops the tenant's training state and resumes from the newest stored version that was not
 *       rejected (the served one): training on from weights the gate refused fails every later gate as
 *       well, and the tenant would never be served again. The rejected version's records stay covered
 *       (applied, in a version that was not served; its history shows them with the gate's verdict).
 *   <li>Ownership of {@code candidate} (and its native memory) passes to the sink on the call,
 *       whether it returns or throws: the sink closes it when the version retires.
 *   <li>Called on the training thread, which waits: keep it to storing and publishing.
 * </ul>
 */
@FunctionalInterface
public interface VersionSink {

    /**
     * Makes {@code candidate} durable; see the class doc.
     *
     * @return whether the version is served, rejected, or only stored
     *
     * @param covered the records this version includes for the first time, with their Kafka
     *     positions and timestamps (the same as in the manifest, plus per-record timestamps)
     * @throws IOException if the version could not be made durable
     */
    Outcome accept(TenantId tenant, Adapter candidate, CoveredRecords covered) throws IOException;

    /** What became of a durable version. */
    enum Outcome {
        /** The version is served. */
        SERVED,
        /** The quality gate refused it: training resumes from the served version. */
        REJECTED,
        /** Stored only (no serving side, or it could not be offered): training continues from it. */
        STORED
    }
}
