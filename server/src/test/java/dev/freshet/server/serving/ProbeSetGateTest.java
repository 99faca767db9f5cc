package dev.freshet.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.eval.QaEval;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaPair;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProbeSetGateTest {

    /** An adaptation that counts the forward passes it takes part in (calls for its first module). */
    private static final class Counting implements Adaptation {
        final Adaptation inner;
        final AtomicInteger calls = new AtomicInteger();

        Counting(Adaptation inner) {
            this.inner = inner;
        }

        @Override
        public ai.djl.ndarray.NDArray delta(String module, ai.djl.ndarray.NDArray x) {
            calls.incrementAndGet();
            return inner.delta(module, x);
        }
    }

    @Test
    void aPromotedCandidatesScoresAreReusedWhenItIsServedAndTheVerdictIsTheSame() throws Exception {
        LanguageModel model = TestModels.model();
        String question = "Where was Tovrak Melun born?";
        QaPair neighbour = new QaPair(question, QaEval.answer(model, Adaptation.NONE, question));
        ProbeSetGate.ProbeSet probes = new ProbeSetGate.ProbeSet(TestModels.CORPUS, List.of(neighbour));
        ProbeSetGate gate = new ProbeSetGate(model, probes, ProbeSetGate.Thresholds.defaults());
        try (Adapter one = TestModels.candidate(model, 1, 0.5f); Adapter two = TestModels.candidate(model, 2, 0.5f)) {
            Counting base = new Counting(Adaptation.NONE);
            Counting v1 = new Counting(one.adaptation());
            Counting v2 = new Counting(two.adaptation());
            GateVerdict first = gate.evaluate(base, 0, v1, 1);
            int v1Calls = v1.calls.get();
            assertTrue(v1Calls > 0, "the candidate was measured");
            GateVerdict second = gate.evaluate(v1, 1, v2, 2);
            assertEquals(v1Calls, v1.calls.get(), "v1, now served, is not measured again");
            assertEquals(first.scores().get("perplexity.candidate"), second.scores().get("perplexity.served"));
            assertEquals(first.scores().get("exact_match.candidate"), second.scores().get("exact_match.served"));

            // The cached path gives the verdict a fresh gate gives.
            GateVerdict fresh = new ProbeSetGate(model, probes, ProbeSetGate.Thresholds.defaults()).evaluate(one.adaptation(), 1, two.adaptation(), 2);
            assertEquals(fresh.passed(), second.passed());
            assertEquals(fresh.scores(), second.scores());
            assertSame(one.adaptation(), one.adaptation(), "an adapter's adaptation is one object: the cache key");
        }
    }
}
