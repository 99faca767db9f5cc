package dev.freshet.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Micro-batches close by size or by time, whichever comes first. */
class MicroBatcherTest {

    @Test
    void aBatchClosesAtItsSizeWithoutWaiting() throws Exception {
        AtomicLong clock = new AtomicLong();
        TrainingQueue queue = new TrainingQueue(16, clock::get);
        for (int i = 0; i < 5; i++) {
            queue.offer(Items.document("d" + i, i));
        }
        MicroBatcher batcher = new MicroBatcher(queue, 4, Duration.ofSeconds(30), Duration.ofMillis(10));
        long start = System.nanoTime();
        List<WorkItem> first = batcher.next();
        assertEquals(List.of("d0", "d1", "d2", "d3"), first.stream().map(WorkItem::id).toList());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "a full batch must not wait for the delay");

        clock.addAndGet(Duration.ofSeconds(30).toNanos()); // the leftover's window has passed
        assertEquals(List.of("d4"), batcher.next().stream().map(WorkItem::id).toList());
        assertEquals(List.of(), batcher.next(), "nothing queued: an empty batch after the idle poll");
    }

    @Test
    void aBatchClosesAtItsDelayCountedFromTheOldestRecordsQueueing() throws Exception {
        TrainingQueue queue = new TrainingQueue(16);
        MicroBatcher batcher = new MicroBatcher(queue, 8, Duration.ofMillis(300), Duration.ofMillis(10));
        long queuedAt = System.nanoTime();
        queue.offer(Items.document("a", 0));
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(50);
                queue.offer(Items.document("b", 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        late.start();
        List<WorkItem> batch = batcher.next();
        long waited = System.nanoTime() - queuedAt;
        late.join();
        assertEquals(List.of("a", "b"), batch.stream().map(WorkItem::id).toList(), "a record arriving in the window joins");
        assertTrue(waited >= Duration.ofMillis(290).toNanos(), "closed after " + waited / 1e6 + " ms, before the 300 ms delay");
        assertTrue(waited < Duration.ofSeconds(5).toNanos(), "closed long after the delay: " + waited / 1e6 + " ms");
    }

    @Test
    void recordsThatWaitedOutTheirWindowGoAtOnce() throws Exception {
        AtomicLong clock = new AtomicLong();
        TrainingQueue queue = new TrainingQueue(16, clock::get);
        queue.offer(Items.document("a", 0));
        queue.offer(Items.document("b", 1));
        clock.addAndGet(Duration.ofSeconds(60).toNanos()); // e.g. a long round was training meanwhile
        MicroBatcher batcher = new MicroBatcher(queue, 8, Duration.ofSeconds(30), Duration.ofMillis(10));
        long start = System.nanoTime();
        assertEquals(2, batcher.next().size());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
    }
}
