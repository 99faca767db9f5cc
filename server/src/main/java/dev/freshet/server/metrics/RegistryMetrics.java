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
        if (version == 0) {
            metrics.servedPerplexityRise().labelValues(tenant).set(0);
        } else {
            // No figure rather than the last version's: a gated promotion sets it next (promoted); a rollback, restore,
            // follow or ungated promotion was not measured by this replica's gate.
            metrics.servedPerplexityRise().remove(tenant);
        }
        metrics.swaps().labelValues(tenant, kind.name().toLowerCase(Locale.ROOT)).inc();
        // Create the tenant's rejection series at 0, so rate() and alerts see the first rejection as an increase.
        metrics.gateRejections().labelValues(tenant);
    }

    @Override
    public void promoted(String tenant, long version, GateVerdict verdict) {
        Double candidate = verdict.scores().get("perplexity.candidate");
        Double base = verdict.scores().get("perplexity.base");
        if (candidate != null && base != null && base > 0) {
            metrics.servedPerplexityRise().labelValues(tenant).set(candidate / base - 1);
        }
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
