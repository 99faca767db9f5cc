package dev.freshet.server.replication;

/**
 * Counts what happens to adapter events, for {@code freshet_adapter_events_total{outcome}}. Called from
 * the producer's callback thread and the follower's thread: implementations must be thread-safe.
 */
@FunctionalInterface
public interface ReplicationEvents {

    ReplicationEvents NONE = outcome -> {};

    /**
     * @param outcome {@code published} or {@code publish_failed} (announcing a version made here);
     *     {@code applied}, {@code stale}, {@code own}, {@code invalid} or {@code failed} (an event read by the follower)
     */
    void event(String outcome);
}
