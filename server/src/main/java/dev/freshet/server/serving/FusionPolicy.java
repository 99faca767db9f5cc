package dev.freshet.server.serving;

import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When one tenant dominates the traffic, serve it from a fused adapter ({@code W + ΔW}) instead of applying
 * its LoRA on every projection of every decoding step. Checked every few seconds on a scheduler thread
 * ({@link #tick}): a tenant with at least {@code minShare} of the model requests since the last check, and
 * at least {@code minRequests} of them, has its served version fused. One version costs one copy of the
 * adapted matrices (a few MB on the default model) and is freed when the version retires; a newer version
 * is fused again at the next check if the tenant still dominates.
 *
 * @param minShare the share of requests that makes a tenant dominant, in (0.5, 1]: at most one tenant is
 * @param minRequests the fewest requests in a check interval worth fusing for
 */
public record FusionPolicy(double minShare, long minRequests) {

    private static final Logger LOG = LoggerFactory.getLogger(FusionPolicy.class);

    public FusionPolicy {
        if (!(minShare > 0.5 && minShare <= 1)) {
            throw new IllegalArgumentException("serving.fuse-share must be in (0.5, 1], got " + minShare);
        }
        if (minRequests < 1) {
            throw new IllegalArgumentException("serving.fuse-min-requests must be at least 1, got " + minRequests);
        }
    }

    /** 80 % of at least 20 requests. */
    public static FusionPolicy defaults() {
        return new FusionPolicy(0.8, 20);
    }

    /**
     * Reads and resets the registry's request counts and fuses the dominant tenant's served version.
     *
     * @return the tenant fused by this call, if any
     */
    public Optional<String> tick(AdapterRegistry registry) {
        Map<String, Long> counts = registry.drainRequestCounts();
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        if (total < minRequests) {
            return Optional.empty();
        }
        Optional<Map.Entry<String, Long>> top = counts.entrySet().stream().filter(e -> !AdapterRegistry.BASE.equals(e.getKey()))
                .max(Map.Entry.comparingByValue());
        if (top.isEmpty() || top.get().getValue() < minShare * total) {
            return Optional.empty();
        }
        String tenant = top.get().getKey();
        try {
            return registry.fuse(tenant) ? Optional.of(tenant) : Optional.empty();
        } catch (RuntimeException e) {
            LOG.warn("tenant {}: fusing its adapter failed; it is served unfused", tenant, e);
            return Optional.empty();
        }
    }
}
