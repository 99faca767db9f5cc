package dev.freshet.loadtest.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Scrapes the server's {@code /metrics} every few seconds on a named thread and keeps what the scenarios
 * plot and judge: memory and training progress.
 *
 * <p>Native memory is not exported as such (libtorch allocates through malloc, which the JVM never sees),
 * so it is estimated as resident memory minus what the JVM has committed for heap and non-heap: what is
 * left is native allocations (DJL/PyTorch tensors, Kafka and Netty buffers, thread stacks, malloc arenas).
 */
public final class MetricsSampler implements AutoCloseable {

    /**
     * One scrape.
     *
     * @param atMs wall-clock time (epoch ms)
     * @param rss process resident bytes ({@code freshet_process_resident_memory_bytes})
     * @param heapUsed JVM heap in use
     * @param jvmCommitted heap plus non-heap the JVM has committed
     * @param steps adaptation steps so far, all tenants and methods
     * @param deadLettered records dead-lettered so far
     */
    public record Sample(long atMs, double rss, double heapUsed, double jvmCommitted, double steps, double deadLettered) {
        /** Resident memory the JVM does not account for: native allocations, mostly libtorch. */
        public double nativeEstimate() {
            return rss - jvmCommitted;
        }
    }

    private final Api api;
    private final long intervalMs;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public MetricsSampler(Api api, Duration interval) {
        this.api = api;
        this.intervalMs = interval.toMillis();
        this.thread = new Thread(this::run, "freshet-load-metrics");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                samples.add(sampleNow());
                Thread.sleep(intervalMs);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // a missed scrape leaves a gap in the series; the trend fit does not need regular spacing
            }
        }
    }

    /** Scrapes once, now. */
    public Sample sampleNow() throws java.io.IOException, InterruptedException {
        String m = api.metrics();
        double dead = Prometheus.sum(m, "freshet_records_dead_lettered_total");
        return new Sample(System.currentTimeMillis(), Prometheus.sum(m, "freshet_process_resident_memory_bytes"),
                Prometheus.sum(m, "jvm_memory_used_bytes", "area=\"heap\""), Prometheus.sum(m, "jvm_memory_committed_bytes"),
                zeroIfAbsent(Prometheus.sum(m, "freshet_adaptation_steps_total")), zeroIfAbsent(dead));
    }

    private static double zeroIfAbsent(double v) {
        return Double.isNaN(v) ? 0 : v; // a counter with no labelled child yet has no sample
    }

    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
