package dev.freshet.loadtest.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches one tenant's served version by polling {@code GET /v1/adapters/{tenant}} on a named thread and
 * notes, for every record key, the first time a served version <em>containing</em> it was seen. A version
 * contains a record if it or one of its ancestors (following {@code parent_version}) covers it: a record
 * first covered by a version the quality gate rejected reaches users with the next promoted one, which was
 * trained from it. The poll interval is the resolution of every freshness figure.
 */
public final class ServedTracker implements AutoCloseable {

    /** A change of the served version, seen at {@code atMs} (epoch ms). */
    public record Swap(long atMs, long version) {}

    private final Api api;
    private final String tenant;
    private final long intervalMs;
    private final Map<String, Long> servedAt = new ConcurrentHashMap<>();
    private final Map<String, Long> coveredAt = new ConcurrentHashMap<>();
    private final Set<Long> seen = new HashSet<>(); // versions whose covered keys are noted as covered
    private final List<Swap> swaps = new CopyOnWriteArrayList<>();
    private final Set<Long> applied = new HashSet<>(); // versions whose covered keys are already noted
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int errors;
    private long lastServed = -1;

    public ServedTracker(Api api, String tenant, Duration interval) {
        this.api = api;
        this.tenant = tenant;
        this.intervalMs = Math.max(1, interval.toMillis());
        this.thread = new Thread(this::run, "freshet-load-poll-" + tenant);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                api.history(tenant).ifPresent(h -> observe(h, System.currentTimeMillis()));
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                errors++; // a failed poll only lowers the resolution; the next one catches up
            }
            try {
                Thread.sleep(intervalMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void observe(Api.History h, long now) {
        for (Api.Version v : h.versions()) {
            if (seen.add(v.version())) { // a version's covered ids never change
                v.covered().forEach(key -> coveredAt.putIfAbsent(key, now));
            }
        }
        if (h.served() < 0 || h.served() == lastServed) {
            return;
        }
        lastServed = h.served();
        swaps.add(new Swap(now, h.served()));
        Map<Long, Api.Version> byNumber = new HashMap<>();
        h.versions().forEach(v -> byNumber.put(v.version(), v));
        for (Api.Version v = byNumber.get(h.served()); v != null && v.version() > 0; v = byNumber.get(v.parent())) {
            if (!applied.add(v.version())) {
                continue; // already credited; its ancestors may not be (after a rollback), so keep walking
            }
            for (String key : v.covered()) {
                servedAt.putIfAbsent(key, now);
            }
        }
    }

    /** When a served version first contained the record (epoch ms), or null if not yet. */
    public Long servedAtMs(String key) {
        return servedAt.get(key);
    }

    public boolean served(String key) {
        return servedAt.containsKey(key);
    }

    /**
     * Whether some version covers the record, served or not: it was applied and is durable. A record
     * covered but never served was held back by the quality gate; one not covered at all is lost.
     */
    public boolean covered(String key) {
        return coveredAt.containsKey(key);
    }

    /** Every change of the served version seen so far. */
    public List<Swap> swaps() {
        return List.copyOf(swaps);
    }

    /** Polls that failed (connection refused, 5xx): a sign the server was struggling. */
    public int errors() {
        return errors;
    }

    /** Waits until every key is served or the timeout passes; returns whether all were. */
    public boolean awaitAll(Iterable<String> keys, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean all = true;
            for (String k : keys) {
                all &= servedAt.containsKey(k);
            }
            if (all) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(Math.min(intervalMs, 50));
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
