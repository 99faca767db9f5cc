package dev.freshet.server.http;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.server.serving.AdapterRegistry;
import dev.freshet.server.serving.Lease;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;

/**
 * What every model route does around its model call: refuse when not ready (503) or full (429), pin the
 * served version (404 for an unknown model) and name it in {@value #VERSION_HEADER}, then run the call on
 * the {@code freshet-infer} pool and release the pin when it returns.
 */
final class Inference {

    static final String VERSION_HEADER = "X-Adapter-Version";

    private final AdapterRegistry registry;
    private final WorkerExecutor pool;
    private final InFlightLimit limit;
    private final Readiness readiness;

    Inference(AdapterRegistry registry, WorkerExecutor pool, InFlightLimit limit, Readiness readiness) {
        this.registry = registry;
        this.pool = pool;
        this.limit = limit;
        this.readiness = readiness;
    }

    LanguageModel model() {
        return registry.model();
    }

    /** 503 unless ready, then 429 unless there is room; call before parsing so refusals stay cheap. */
    void admit(RoutingContext ctx) {
        readiness.problem().ifPresent(p -> {
            throw ApiException.notReady(p);
        });
        limit.admit(ctx);
    }

    /** Pins the version {@code model} is served from and sets the version header. Non-blocking. */
    Lease pin(RoutingContext ctx, String model) {
        Lease lease = registry.acquire(model);
        ctx.response().putHeader(VERSION_HEADER, Long.toString(lease.version()));
        return lease;
    }

    /**
     * Runs {@code call} on the inference pool and closes the lease afterwards, even if the call never starts.
     * Unordered: requests from one connection must not queue behind each other.
     */
    <T> Future<T> run(Lease lease, Function<Lease, T> call) {
        return pool.<T>executeBlocking(() -> {
            try (lease) {
                return call.apply(lease);
            }
        }, false).onFailure(e -> lease.close());
    }
}
