package dev.freshet.server.verticle;

import dev.freshet.server.replication.AdapterFollower;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Applies adapter events from the compacted adapters topic: other replicas' promotions and rollbacks are
 * served here. Thin: an {@link AdapterFollower} does the work on its own thread
 * ({@code freshet-follow-adapters}); this verticle ties its lifetime to the deployment, and its start
 * completes at once (readiness waits on {@link AdapterFollower#caughtUp()} separately).
 */
public final class AdaptersVerticle extends VerticleBase {

    private final AdapterFollower follower;

    public AdaptersVerticle(AdapterFollower follower) {
        this.follower = follower;
    }

    @Override
    public Future<?> start() {
        follower.start();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        return Future.fromCompletionStage(follower.stop(), context);
    }
}
