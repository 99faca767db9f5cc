package dev.freshet.server.serving;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable map from model name ({@code base} or a tenant) to the version its requests start on.
 * The registry publishes a new snapshot per swap through an atomic reference; readers never lock.
 */
public final class ServingSnapshot {

    private final Map<String, Resident> served;

    ServingSnapshot(Map<String, Resident> served) {
        this.served = Collections.unmodifiableMap(new TreeMap<>(served));
    }

    Resident get(String model) {
        return served.get(model);
    }

    Map<String, Resident> residents() {
        return served;
    }

    /** Served version per model name, {@code base} included, sorted by name. */
    public Map<String, Long> versions() {
        Map<String, Long> v = new TreeMap<>();
        served.forEach((k, r) -> v.put(k, r.version));
        return Collections.unmodifiableMap(v);
    }

    /** Whether requests may name this model. */
    public boolean contains(String model) {
        return served.containsKey(model);
    }

    ServingSnapshot with(String model, Resident r) {
        Map<String, Resident> m = new TreeMap<>(served);
        m.put(model, r);
        return new ServingSnapshot(m);
    }
}
