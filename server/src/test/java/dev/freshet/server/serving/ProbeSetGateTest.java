package dev.freshet.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The gate measures each version once: the served side of a verdict is the candidate it was, remembered. */
class ProbeSetGateTest {

    private final LanguageModel model = TestModels.model();
    private final ProbeSetGate.ProbeSet probes = new ProbeSetGate.ProbeSet(TestModels.CORPUS.subList(1, 4),
            List.of(new QaPair("Where was Tovrak Melun born?", "Sarvel")));

    @Test
    void aPromotedCandidateIsNotMeasuredAgainWhenItIsTheServedSideAndVerdictsAreUnchanged() {
        ProbeSetGate gate = new ProbeSetGate(model, probes, ProbeSetGate.Thresholds.defaults());
        try (Adapter v1 = TestModels.candidate(model, 1, 0.01f); Adapter v2 = TestModels.candidate(model, 2, 0.01f)) {
            AtomicInteger v1Calls = new AtomicInteger();
            Adaptation counted = counting(v1.adaptation(), v1Calls);

            GateVerdict first = gate.evaluate(Adaptation.NONE, 0, counted, 1);
            int measuringOnce = v1Calls.get();
            assertTrue(measuringOnce > 0);
            GateVerdict second = gate.evaluate(counted, 1, v2.adaptation(), 2);

            assertEquals(measuringOnce, v1Calls.get(), "v1, now served, was not measured again");
            assertEquals(first.scores().get("perplexity.candidate"), second.scores().get("perplexity.served"));
            GateVerdict fresh = new ProbeSetGate(model, probes, ProbeSetGate.Thresholds.defaults()).evaluate(v1.adaptation(), 1, v2.adaptation(), 2);
            assertEquals(fresh, second, "remembering changes no verdict");
        }
    }

    @Test
    void aYieldingGateWaitsWhileRequestsWaitBoundedAndReachesTheSameVerdict() {
        ProbeSetGate plain = new ProbeSetGate(model, probes, ProbeSetGate.Thresholds.defaults());
        AtomicInteger asked = new AtomicInteger();
        // Requests "wait" for the first 20 questions asked, then never again.
        QualityGate yielding = plain.yieldingTo(() -> asked.incrementAndGet() <= 20, Duration.ofSeconds(5));
        QualityGate stuck = plain.yieldingTo(() -> true, Duration.ofMillis(20)); // serving never lets go
        try (Adapter v1 = TestModels.candidate(model, 1, 0.01f)) {
            GateVerdict expected = plain.evaluate(Adaptation.NONE, 0, v1.adaptation(), 1);

            assertEquals(expected, yielding.evaluate(Adaptation.NONE, 0, v1.adaptation(), 1));
            assertTrue(asked.get() > 20, "it asked before each measurement and waited while told to");
            long t0 = System.nanoTime();
            assertEquals(expected, stuck.evaluate(Adaptation.NONE, 0, v1.adaptation(), 1));
            // Two versions × (one perplexity batch + one question), each wait at most 20 ms.
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "each wait is bounded");
        }
    }

    @Test
    void anAdapterIsAppliedThroughOneObjectSoItsIdentityNamesIt() {
        try (Adapter v1 = TestModels.candidate(model, 1, 0)) {
            assertSame(v1.adaptation(), v1.adaptation());
        }
    }

    private static Adaptation counting(Adaptation inner, AtomicInteger calls) {
        return (module, x) -> {
            calls.incrementAndGet();
            return inner.delta(module, x);
        };
    }
}
