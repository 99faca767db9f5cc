package dev.freshet.server.training;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Training gives way to serving between steps, and stops at a step boundary. */
class StepGateTest {

    @Test
    void waitsWhileRequestsWaitAndGoesOnOnceTheyAreServed() throws Exception {
        AtomicBoolean waiting = new AtomicBoolean(true);
        AtomicLong yielded = new AtomicLong();
        TrainingEvents events = new TrainingEvents() {
            @Override
            public void yielded(long nanos) {
                yielded.set(nanos);
            }
        };
        StepGate gate = new StepGate(waiting::get, Duration.ofSeconds(30), () -> false, events);
        Thread served = new Thread(() -> {
            sleep(150);
            waiting.set(false);
        });
        long start = System.nanoTime();
        served.start();
        gate.awaitTurn();
        long took = System.nanoTime() - start;
        served.join();
        assertTrue(took >= Duration.ofMillis(140).toNanos(), "went on after " + took / 1e6 + " ms while requests waited");
        assertTrue(took < Duration.ofSeconds(10).toNanos(), "kept waiting " + took / 1e6 + " ms after the requests were served");
        assertTrue(yielded.get() > 0, "the wait is reported");
    }

    @Test
    void takesAStepAnywayAfterTheMaximumYield() {
        StepGate gate = new StepGate(() -> true, Duration.ofMillis(100), () -> false, TrainingEvents.NONE);
        long start = System.nanoTime();
        gate.awaitTurn();
        long took = System.nanoTime() - start;
        assertTrue(took >= Duration.ofMillis(95).toNanos() && took < Duration.ofSeconds(10).toNanos(), took / 1e6 + " ms");
    }

    @Test
    void stoppingAbandonsTheRoundEvenWhileYielding() {
        AtomicBoolean stopping = new AtomicBoolean();
        StepGate gate = new StepGate(() -> true, Duration.ofSeconds(30), stopping::get, TrainingEvents.NONE);
        new Thread(() -> {
            sleep(50);
            stopping.set(true);
        }).start();
        assertThrows(StepGate.RoundAbandoned.class, gate::awaitTurn);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
