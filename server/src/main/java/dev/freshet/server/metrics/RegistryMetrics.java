package dev.freshet.server.metrics;

import dev.freshet.server.serving.GateVerdict;
import dev.freshet.server.serving.RegistryListener;

import java.util.Locale;

/** Feeds the adapter registry's events into {@link FreshetMetrics}: served version, swaps, rejections, residency. */
public final class RegistryMetrics implements RegistryListener {

    private final FreshetMetrics metrics;

    public RegistryMetrics(FreshetMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void served(String tenant, long previous, long version, SwapKind kind) {
        metrics.servedVersion().labelValues(tenant).set(version);
        metrics.swaps().labelValues(tenant, kind.name().toLowerCase(Locale.ROOT)).inc();
        // Create the tenant's rejection series at 0, so rate() and alerts see the first rejection as an increase.
        metrics.gateRejections().labelValues(tenant);
    }

    @Override
    public void rejected(String tenant, long version, GateVerdict verdict) {
        metrics.gateRejections().labelValues(tenant).inc();
    }

    @Override
    public void resident(String tenant, long version) {
        metrics.residentVersions().labelValues(tenant).inc();
    }

    @Override
    public void released(String tenant, long version) {
        metrics.residentVersions().labelValues(tenant).dec();
    }

    @Override
    public void fused(String tenant, long version) {
        metrics.fusions().labelValues(tenant).inc();
    }
}
