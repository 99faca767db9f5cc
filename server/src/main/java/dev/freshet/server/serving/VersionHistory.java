package dev.freshet.server.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every tenant's version history as an immutable map, replaced whole on each change. Written only by the
 * registry's owner (under its lock); read by anyone without locking, e.g. {@code GET /v1/adapters/{tenant}}.
 */
final class VersionHistory {

    private volatile Map<String, List<VersionInfo>> byTenant = Map.of();

    boolean contains(String tenant) {
        return byTenant.containsKey(tenant);
    }

    List<String> tenants() {
        return List.copyOf(new TreeMap<>(byTenant).keySet());
    }

    Optional<List<VersionInfo>> get(String tenant) {
        return Optional.ofNullable(byTenant.get(tenant));
    }

    Optional<VersionInfo> find(String tenant, long version) {
        return get(tenant).flatMap(h -> h.stream().filter(e -> e.version() == version).findFirst());
    }

    /** One more than the tenant's highest version (1 for a tenant without one). */
    long next(String tenant) {
        List<VersionInfo> h = byTenant.get(tenant);
        return h == null ? 1 : h.get(h.size() - 1).version() + 1;
    }

    /** Replaces (or adds) one entry; a tenant's history starts with the base model as version 0. */
    void record(String tenant, VersionInfo info) {
        Map<Long, VersionInfo> h = new TreeMap<>();
        List<VersionInfo> old = byTenant.get(tenant);
        if (old == null) {
            h.put(0L, VersionInfo.base(AdapterState.RETIRED));
        } else {
            old.forEach(e -> h.put(e.version(), e));
        }
        VersionInfo previous = h.get(info.version());
        // A state change keeps the verdict the version was gated with.
        h.put(info.version(), info.gate() == null && previous != null ? info.withGate(previous.gate()) : info);
        Map<String, List<VersionInfo>> all = new TreeMap<>(byTenant);
        all.put(tenant, List.copyOf(new ArrayList<>(h.values())));
        byTenant = Map.copyOf(all);
    }

    /** Marks a version's new state, keeping everything else. */
    void setState(String tenant, long version, AdapterState state) {
        find(tenant, version).ifPresent(e -> record(tenant, e.withState(state)));
    }
}
