package dev.freshet.server.training;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The bounded hand-over from the Kafka consumers to the training worker: many producers (one per
 * consumed topic), one taker (the training thread).
 *
 * <h2>Back-pressure contract</h2>
 *
 * <ul>
 *   <li>{@link #offer} never blocks. It returns {@code false} when the queue already holds
 *       {@link #capacity()} items; the item is then <em>not</em> queued. The producer keeps it (and
 *       every record after it, to keep order), pauses its Kafka partitions, and offers nothing more
 *       until it gets the drained signal.
 *   <li>The <b>drained signal</b>: once an offer has been refused, the first moment the queue holds
 *       at most {@link #lowWater()} items (half the capacity), every listener registered with
 *       {@link #onDrained} is called once. The producer then re-offers what it kept, in order, and
 *       resumes its partitions. Resuming at half rather than at "one free slot" keeps a paused
 *       consumer from flapping between pause and resume on every record.
 *   <li>Listeners run on whichever thread noticed the drain (the taker, or a refused producer that
 *       raced with it): they must only set a flag or wake a thread, never block.
 * </ul>
 *
 * A paused consumer keeps calling {@code poll()} (which returns nothing while paused), so it stays
 * in its consumer group however long training takes. Thread-safe.
 */
public final class TrainingQueue {

    /** An item and when it was queued, by the queue's clock. */
    record Stamped(WorkItem item, long queuedAtNanos) {}

    private final ArrayBlockingQueue<Stamped> items;
    private final int capacity;
    private final LongSupplier clock;
    private final AtomicBoolean refused = new AtomicBoolean();
    private final List<Runnable> drainedListeners = new CopyOnWriteArrayList<>();

    /**
     * @param capacity the most items held at once
     * @param clock nanosecond clock that stamps items (micro-batch deadlines are measured from it)
     */
    public TrainingQueue(int capacity, LongSupplier clock) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity must be at least 2, got " + capacity);
        }
        this.capacity = capacity;
        this.items = new ArrayBlockingQueue<>(capacity);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A queue on {@link System#nanoTime()}. */
    public TrainingQueue(int capacity) {
        this(capacity, System::nanoTime);
    }

    /**
     * Queues {@code item} if there is room.
     *
     * @return false when full: pause, keep the item, wait for the drained signal (see the class doc)
     */
    public boolean offer(WorkItem item) {
        Objects.requireNonNull(item, "item");
        if (items.offer(new Stamped(item, clock.getAsLong()))) {
            return true;
        }
        refused.set(true);
        // The taker may have drained the queue between our failed offer and setting the flag, and
        // then seen no refusal; checking again here means the signal cannot be lost.
        signalIfDrained();
        return false;
    }

    /** Registers a drained-signal listener (see the class doc for where it runs). */
    public void onDrained(Runnable listener) {
        drainedListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Takes the oldest item, waiting up to {@code timeout}; null if none came. For the worker. */
    Stamped poll(long timeout, TimeUnit unit) throws InterruptedException {
        Stamped s = items.poll(timeout, unit);
        if (s != null) {
            signalIfDrained();
        }
        return s;
    }

    /** Drops every queued item {@code which} matches (records of partitions given up in a rebalance); returns how many. */
    public int removeIf(Predicate<WorkItem> which) {
        int before = items.size();
        items.removeIf(s -> which.test(s.item()));
        signalIfDrained();
        return before - items.size();
    }

    /** Items queued now. */
    public int size() {
        return items.size();
    }

    /** The most items held at once. */
    public int capacity() {
        return capacity;
    }

    /** The fill level at or below which a refused producer is told to resume. */
    public int lowWater() {
        return capacity / 2;
    }

    /** The queue's clock, in nanoseconds. */
    long now() {
        return clock.getAsLong();
    }

    private void signalIfDrained() {
        if (items.size() <= lowWater() && refused.compareAndSet(true, false)) {
            drainedListeners.forEach(Runnable::run);
        }
    }
}
