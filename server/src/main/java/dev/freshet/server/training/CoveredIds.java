package dev.freshet.server.training;

import dev.freshet.server.serving.AdapterStore;
import dev.freshet.streams.record.TenantId;
import java.io.IOException;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The ids of one tenant's records that some durable version already covers: the union of the
 * covered ids of every stored manifest. A re-delivered record found here is skipped, not trained
 * again. It grows with every record ever applied (about 50 bytes per id); pruning ids below the
 * committed offsets is possible later, since those records are never delivered again.
 *
 * <p>Used by the training thread only.
 */
final class CoveredIds {

    private final Map<CoveredRecords.Kind, Set<String>> ids = new EnumMap<>(CoveredRecords.Kind.class);

    private CoveredIds() {
        for (CoveredRecords.Kind kind : CoveredRecords.Kind.values()) {
            ids.put(kind, new HashSet<>());
        }
    }

    /** Nothing covered yet. */
    static CoveredIds empty() {
        return new CoveredIds();
    }

    /** What the tenant's stored versions cover, read from their manifests. */
    static CoveredIds load(AdapterStore store, TenantId tenant) throws IOException {
        CoveredIds c = new CoveredIds();
        for (long v : store.versions(tenant.value())) {
            var extra = store.manifest(tenant.value(), v).extra();
            for (CoveredRecords.Kind kind : CoveredRecords.Kind.values()) {
                c.ids.get(kind).addAll(CoveredRecords.idsIn(extra, kind));
            }
        }
        return c;
    }

    /** Whether a durable version covers {@code item}. */
    boolean covers(WorkItem item) {
        return ids.get(CoveredRecords.Kind.of(item)).contains(item.id());
    }

    /** Adds the records of a version that just became durable. */
    void add(CoveredRecords covered) {
        covered.records().forEach(e -> ids.get(e.kind()).add(e.id()));
    }

    /** How many ids of all kinds. */
    int size() {
        return ids.values().stream().mapToInt(Set::size).sum();
    }
}
