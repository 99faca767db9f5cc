package dev.freshet.server.training;

import dev.freshet.streams.record.Rejection;

/**
 * How the training worker reports what became of one record, back to whoever consumed it. Exactly
 * one of the two methods is called, once, from the training thread; implementations must not block
 * (the Kafka side only marks an offset, or starts an asynchronous dead-letter send).
 */
public interface Receipt {

    /**
     * The record's effect is durable: it is covered by a stored adapter version, or it was skipped
     * because a stored version already covers it. Its offset may be committed.
     */
    void durable();

    /**
     * The record cannot be used (e.g. its loss was not finite); it goes to the dead-letter topic, and
     * counts as finished once the dead letter is acknowledged.
     */
    void refused(Rejection rejection);
}
