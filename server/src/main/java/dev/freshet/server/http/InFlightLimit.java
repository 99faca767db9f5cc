package dev.freshet.server.http;

import io.prometheus.metrics.core.metrics.Gauge;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the model requests (completions, score) admitted at once. Beyond the cap a request is refused with
 * 429 at once rather than queued: the inference pool is small, so a deep queue would only turn into
 * timeouts, and a client can retry elsewhere. Shared by every instance of the HTTP verticle.
 */
final class InFlightLimit {

    private final int limit;
    private final Gauge gauge;
    private final AtomicInteger inFlight = new AtomicInteger();

    InFlightLimit(int limit, Gauge gauge) {
        this.limit = limit;
        this.gauge = gauge;
    }

    /** Admits the request, released when its response ends or its connection drops; or throws a 429. */
    void admit(RoutingContext ctx) {
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            throw ApiException.busy(limit);
        }
        gauge.inc();
        ctx.addEndHandler(ar -> {
            inFlight.decrementAndGet();
            gauge.dec();
        });
    }
}
