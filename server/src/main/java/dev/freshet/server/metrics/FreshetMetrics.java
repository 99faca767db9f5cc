package dev.freshet.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Every {@code freshet_} metric, defined in one place so names, labels and units never drift.
 *
 * <p>One instance owns one {@link PrometheusRegistry} that also carries the JVM and process collectors
 * ({@code jvm_*}, {@code process_*}); {@link #scrape()} renders it in the Prometheus text format for
 * {@code GET /metrics}. Metrics are public accessors returning the Prometheus client's own types, so an
 * updater writes {@code metrics.recordsConsumed().labelValues(topic, tenant).inc()}. Label values must stay
 * low-cardinality: tenants, topics, methods, routes, statuses, reasons; never ids or prompts.
 *
 * <table>
 *   <caption>Metrics</caption>
 *   <tr><th>name</th><th>type</th><th>labels</th><th>updated by</th></tr>
 *   <tr><td>freshet_http_request_duration_seconds</td><td>histogram</td><td>route, method, status</td><td>HTTP API</td></tr>
 *   <tr><td>freshet_http_requests_in_flight</td><td>gauge</td><td></td><td>HTTP API (model routes)</td></tr>
 *   <tr><td>freshet_adapter_served_version</td><td>gauge</td><td>tenant</td><td>adapter registry</td></tr>
 *   <tr><td>freshet_adapter_swaps_total</td><td>counter</td><td>tenant, kind (promote, rollback, restore, follow)</td><td>adapter registry</td></tr>
 *   <tr><td>freshet_gate_rejections_total</td><td>counter</td><td>tenant</td><td>adapter registry</td></tr>
 *   <tr><td>freshet_served_probe_perplexity_rise</td><td>gauge</td><td>tenant</td><td>adapter registry: the served version's probe perplexity over the base model's, minus 1, as the gate measured it at promotion</td></tr>
 *   <tr><td>freshet_adapter_versions_resident</td><td>gauge</td><td>tenant</td><td>adapter registry: versions holding native memory</td></tr>
 *   <tr><td>freshet_adapter_fusions_total</td><td>counter</td><td>tenant</td><td>fusion policy: a dominant tenant's version fused into the base weights</td></tr>
 *   <tr><td>freshet_adapter_events_total</td><td>counter</td><td>outcome (published, publish_failed, applied, stale, own, invalid, failed)</td><td>adapters topic publisher and follower</td></tr>
 *   <tr><td>freshet_process_resident_memory_bytes</td><td>gauge</td><td></td><td>/proc/self/status at scrape time (includes DJL native memory)</td></tr>
 *   <tr><td>freshet_records_consumed_total</td><td>counter</td><td>topic, tenant</td><td>Kafka consumers</td></tr>
 *   <tr><td>freshet_records_dead_lettered_total</td><td>counter</td><td>topic, tenant, reason</td><td>Kafka consumers</td></tr>
 *   <tr><td>freshet_consumer_lag_records</td><td>gauge</td><td>topic, partition</td><td>Kafka consumers</td></tr>
 *   <tr><td>freshet_training_queue_records</td><td>gauge</td><td></td><td>hand-over queue to the trainer</td></tr>
 *   <tr><td>freshet_adaptation_steps_total</td><td>counter</td><td>tenant, method</td><td>trainer</td></tr>
 *   <tr><td>freshet_adaptation_tokens_total</td><td>counter</td><td>tenant, method</td><td>trainer</td></tr>
 *   <tr><td>freshet_adaptation_step_duration_seconds</td><td>histogram</td><td>method</td><td>trainer</td></tr>
 *   <tr><td>freshet_training_loss</td><td>gauge</td><td>tenant, method</td><td>trainer (last step)</td></tr>
 *   <tr><td>freshet_freshness_seconds</td><td>histogram</td><td>tenant</td><td>registry listener: record timestamp → first served version containing it</td></tr>
 * </table>
 */
public final class FreshetMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Histogram httpDuration;
    private final Gauge httpInFlight;
    private final Gauge servedVersion;
    private final Counter swaps;
    private final Counter gateRejections;
    private final Gauge servedPerplexityRise;
    private final Gauge residentVersions;
    private final Counter adapterEvents;
    private final Counter fusions;
    private final Counter recordsConsumed;
    private final Counter recordsDeadLettered;
    private final Gauge consumerLag;
    private final Gauge trainingQueue;
    private final Counter adaptationSteps;
    private final Counter adaptationTokens;
    private final Histogram stepDuration;
    private final Gauge trainingLoss;
    private final Histogram freshness;

    /** Registers every metric and the JVM/process collectors in a fresh registry. */
    public FreshetMetrics() {
        httpDuration = Histogram.builder().name("freshet_http_request_duration_seconds")
                .help("HTTP request duration from the first byte read to the last byte written")
                .labelNames("route", "method", "status")
                // Completions of a small model take milliseconds to tens of seconds.
                .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
                .classicOnly().register(registry);
        httpInFlight = Gauge.builder().name("freshet_http_requests_in_flight")
                .help("Model requests (completions, score) accepted and not yet finished").register(registry);
        servedVersion = Gauge.builder().name("freshet_adapter_served_version")
                .help("Adapter version each tenant is served from (0 = the base model)").labelNames("tenant").register(registry);
        swaps = Counter.builder().name("freshet_adapter_swaps_total")
                .help("Changes of a tenant's served adapter version").labelNames("tenant", "kind").register(registry);
        gateRejections = Counter.builder().name("freshet_gate_rejections_total")
                .help("Candidate adapter versions the quality gate rejected").labelNames("tenant").register(registry);
        servedPerplexityRise = Gauge.builder().name("freshet_served_probe_perplexity_rise")
                .help("The served version's probe perplexity relative to the base model's, minus 1, as the quality gate measured it at"
                        + " promotion (0: the base model is served; absent after a rollback, restore or follow)")
                .labelNames("tenant").register(registry);
        residentVersions = Gauge.builder().name("freshet_adapter_versions_resident")
                .help("Adapter versions holding native memory: the served one plus retired ones still pinned by requests")
                .labelNames("tenant").register(registry);
        fusions = Counter.builder().name("freshet_adapter_fusions_total")
                .help("Served adapter versions fused into the base weights because their tenant dominated the traffic")
                .labelNames("tenant").register(registry);
        adapterEvents = Counter.builder().name("freshet_adapter_events_total")
                .help("Adapter events on the adapters topic: published here, or read and applied, skipped or refused")
                .labelNames("outcome").register(registry);
        recordsConsumed = Counter.builder().name("freshet_records_consumed_total")
                .help("Records consumed from Kafka").labelNames("topic", "tenant").register(registry);
        recordsDeadLettered = Counter.builder().name("freshet_records_dead_lettered_total")
                .help("Records sent to the dead-letter topic").labelNames("topic", "tenant", "reason").register(registry);
        consumerLag = Gauge.builder().name("freshet_consumer_lag_records")
                .help("Records between the training consumer's position and the log end, per partition").labelNames("topic", "partition").register(registry);
        trainingQueue = Gauge.builder().name("freshet_training_queue_records")
                .help("Records waiting in the bounded hand-over queue to the trainer").register(registry);
        adaptationSteps = Counter.builder().name("freshet_adaptation_steps_total")
                .help("Adaptation (training) steps taken").labelNames("tenant", "method").register(registry);
        adaptationTokens = Counter.builder().name("freshet_adaptation_tokens_total")
                .help("Tokens trained on").labelNames("tenant", "method").register(registry);
        stepDuration = Histogram.builder().name("freshet_adaptation_step_duration_seconds")
                .help("Wall time of one adaptation step").labelNames("method")
                .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .classicOnly().register(registry);
        trainingLoss = Gauge.builder().name("freshet_training_loss")
                .help("Loss of the last adaptation step").labelNames("tenant", "method").register(registry);
        freshness = Histogram.builder().name("freshet_freshness_seconds")
                .help("Seconds from a record's Kafka timestamp to the first served adapter version that contains it")
                .labelNames("tenant")
                .classicUpperBounds(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800)
                .classicOnly().register(registry);
        GaugeWithCallback.builder().name("freshet_process_resident_memory_bytes")
                .help("Resident set size of this process: heap, JVM overhead and native (DJL/PyTorch) memory")
                .callback(cb -> {
                    long rss = residentBytes();
                    if (rss >= 0) {
                        cb.call(rss);
                    }
                }).register(registry);
        JvmMetrics.builder().register(registry);
    }

    /** The registry, for collectors other modules add (e.g. Vert.x's own metrics through Micrometer). */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The Content-Type of {@link #scrape()}. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Every metric in the Prometheus text format (version 0.0.4). */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return out.toByteArray();
    }

    public Histogram httpDuration() {
        return httpDuration;
    }

    public Gauge httpInFlight() {
        return httpInFlight;
    }

    public Counter fusions() {
        return fusions;
    }

    public Counter adapterEvents() {
        return adapterEvents;
    }

    public Gauge servedVersion() {
        return servedVersion;
    }

    public Counter swaps() {
        return swaps;
    }

    public Counter gateRejections() {
        return gateRejections;
    }

    /** Per tenant: the served version's probe perplexity over the base model's, minus 1 (the drift the per-version gate lets through). */
    public Gauge servedPerplexityRise() {
        return servedPerplexityRise;
    }

    public Gauge residentVersions() {
        return residentVersions;
    }

    public Counter recordsConsumed() {
        return recordsConsumed;
    }

    public Counter recordsDeadLettered() {
        return recordsDeadLettered;
    }

    public Gauge consumerLag() {
        return consumerLag;
    }

    public Gauge trainingQueue() {
        return trainingQueue;
    }

    public Counter adaptationSteps() {
        return adaptationSteps;
    }

    public Counter adaptationTokens() {
        return adaptationTokens;
    }

    public Histogram stepDuration() {
        return stepDuration;
    }

    public Gauge trainingLoss() {
        return trainingLoss;
    }

    public Histogram freshness() {
        return freshness;
    }

    /** VmRSS from /proc/self/status (reported in kB whatever the page size), or -1 off Linux. */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the JVM's process_* collector still reports what it can
        }
        return -1;
    }
}
