package dev.freshet.server.training;

import dev.freshet.adaptation.adapter.AdapterManifest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the worker keeps per tenant between rounds: the fast adapter, the last durable version's
 * manifest, the covered ids, and the records trained but not yet in a durable version (normally
 * none between rounds; some after a sink failure, until the next version takes them along).
 * Used by the training thread only.
 */
final class TenantState implements AutoCloseable {

    final TenantAdapter fast;
    final CoveredIds covered;
    /** The newest durable version's manifest (version 0 for a new tenant). */
    AdapterManifest last;
    /** Trained, not yet durable: these go into the next version's covered records. */
    final List<WorkItem> pending = new ArrayList<>();
    /** Duplicates of pending ids in the same stream: durable together with the version, not covered twice. */
    final List<WorkItem> riders = new ArrayList<>();
    /** The learner methods that trained the pending records. */
    final Set<String> methods = new LinkedHashSet<>();
    /** When the last sink attempt failed ({@link System#nanoTime()}), or 0. */
    long failedAtNanos;
    /** The gate rejected this state's last version: reload from the served one before training again. */
    boolean stale;

    TenantState(TenantAdapter fast, CoveredIds covered, AdapterManifest last) {
        this.fast = fast;
        this.covered = covered;
        this.last = last;
    }

    /** Whether {@code item} is already covered, or pending under the same id. */
    boolean seen(WorkItem item) {
        if (covered.covers(item)) {
            return true;
        }
        return pending.stream().anyMatch(p -> key(p).equals(key(item)));
    }

    /** A record's identity across kinds: ids are unique per tenant and kind. */
    static String key(WorkItem item) {
        return CoveredRecords.Kind.of(item) + "/" + item.id();
    }

    /** After a version became durable. */
    void clearPending() {
        pending.clear();
        riders.clear();
        methods.clear();
        failedAtNanos = 0;
    }

    @Override
    public void close() {
        fast.close();
    }
}
