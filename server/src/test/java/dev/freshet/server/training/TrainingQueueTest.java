package dev.freshet.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The back-pressure contract of the hand-over queue. */
class TrainingQueueTest {

    @Test
    void aFullQueueRefusesWithoutQueueingAndSignalsOnceWhenDrainedToHalf() throws Exception {
        TrainingQueue queue = new TrainingQueue(4, () -> 0L);
        AtomicInteger drained = new AtomicInteger();
        queue.onDrained(drained::incrementAndGet);
        for (int i = 0; i < 4; i++) {
            assertTrue(queue.offer(Items.document("d" + i, i)));
        }
        assertFalse(queue.offer(Items.document("d4", 4)), "a full queue refuses");
        assertEquals(4, queue.size(), "the refused item is not queued");

        assertNotNull(queue.poll(0, TimeUnit.MILLISECONDS));
        assertEquals(0, drained.get(), "3 of 4 is above the low-water mark of 2: no signal yet");
        assertNotNull(queue.poll(0, TimeUnit.MILLISECONDS));
        assertEquals(1, drained.get(), "at the low-water mark the refused producer is told to resume");
        assertNotNull(queue.poll(0, TimeUnit.MILLISECONDS));
        assertEquals(1, drained.get(), "one signal per refusal");

        assertTrue(queue.offer(Items.document("d4", 4)), "the kept item is accepted after the signal");
    }

    @Test
    void drainingWithoutARefusalSignalsNothing() throws Exception {
        TrainingQueue queue = new TrainingQueue(4, () -> 0L);
        AtomicInteger drained = new AtomicInteger();
        queue.onDrained(drained::incrementAndGet);
        queue.offer(Items.document("a", 0));
        queue.offer(Items.document("b", 1));
        queue.offer(Items.document("c", 2));
        while (queue.poll(0, TimeUnit.MILLISECONDS) != null) {
            // drain
        }
        assertEquals(0, drained.get());
    }

    @Test
    void aRefusalAfterTheTakerAlreadyDrainedIsSignalledByTheProducerItself() throws Exception {
        // Capacity 2, low water 1: a refusal while the queue is full, then a take to 1, signals.
        TrainingQueue queue = new TrainingQueue(2, () -> 0L);
        AtomicInteger drained = new AtomicInteger();
        queue.onDrained(drained::incrementAndGet);
        queue.offer(Items.document("a", 0));
        queue.offer(Items.document("b", 1));
        assertFalse(queue.offer(Items.document("c", 2)));
        queue.poll(0, TimeUnit.MILLISECONDS);
        assertEquals(1, drained.get());
    }
}
