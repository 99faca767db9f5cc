package dev.freshet.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.eval.QaEval;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaPair;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
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

    /**
     * The per-version threshold compares with the served version only, so small steps could drift without bound; the
     * bound from the base model rejects a candidate whose step is tiny but whose total rise is past it.
     */
    @Test
    void theRiseFromTheBaseModelIsBoundedWhateverTheStep() {
        try (Adapter served = scrambled(); Adapter candidate = scrambled()) {
            double base = QaEval.perplexity(model, Adaptation.NONE, probes.oldWorldTexts());
            double rise = QaEval.perplexity(model, candidate.adaptation(), probes.oldWorldTexts()) / base - 1;
            assertTrue(rise > 0.001, "the noisy candidate is worse than the base model: " + rise);

            GateVerdict tight = new ProbeSetGate(model, probes, new ProbeSetGate.Thresholds(0.05, 1, rise / 2))
                    .evaluate(served.adaptation(), 1, candidate.adaptation(), 2);
            assertFalse(tight.passed(), "the step is nothing, the total rise is twice the bound");
            assertTrue(tight.reason().contains("over the base model's") && !tight.reason().contains("->"), tight.reason());
            assertEquals(base, tight.scores().get("perplexity.base"), 1e-9);

            assertTrue(new ProbeSetGate(model, probes, new ProbeSetGate.Thresholds(0.05, 1, rise * 2))
                    .evaluate(served.adaptation(), 1, candidate.adaptation(), 2).passed());
            GateVerdict unbounded = new ProbeSetGate(model, probes, new ProbeSetGate.Thresholds(0.05, 1, Double.POSITIVE_INFINITY))
                    .evaluate(served.adaptation(), 1, candidate.adaptation(), 2);
            assertTrue(unbounded.passed(), unbounded.toString());
            // Without a bound the base model's perplexity is still reported, for the drift metric.
            assertEquals(base, unbounded.scores().get("perplexity.base"), 1e-9);
        }
    }

    @Test
    void anAdapterIsAppliedThroughOneObjectSoItsIdentityNamesIt() {
        try (Adapter v1 = TestModels.candidate(model, 1, 0)) {
            assertSame(v1.adaptation(), v1.adaptation());
        }
    }

    /** The MLP's input projections shifted by seeded noise as large as their weights: a clearly worse model. */
    private Adapter scrambled() {
        Adapter a = Adapter.create(model, new AdapterSpec.Delta(List.of("c_fc")), "test", 1);
        SplittableRandom rng = new SplittableRandom(3);
        for (NDArray delta : a.tensors().values()) {
            float[] v = new float[(int) delta.getShape().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rng.nextGaussian();
            }
            try (NDArray n = a.manager().create(v, delta.getShape())) {
                delta.addi(n);
            }
        }
        return a;
    }

    private static Adaptation counting(Adaptation inner, AtomicInteger calls) {
        return (module, x) -> {
            calls.incrementAndGet();
            return inner.delta(module, x);
        };
    }
}
