package dev.freshet.adaptation.camels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.train.Optimizer;
import dev.freshet.adaptation.train.StepResult;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** One weighted step per document on a tenant adapter. */
class OnlineDocumentLearnerTest {

    static final String DOC = CamelsFixtures.WORLD.documents().get(5).text();
    static final AdapterSpec DELTA = new AdapterSpec.Delta(List.of("h.1.mlp.c_proj"));

    static float[] flat(Adapter a) {
        return a.tensors().values().stream().map(NDArray::toFloatArray).reduce((x, y) -> {
            float[] z = Arrays.copyOf(x, x.length + y.length);
            System.arraycopy(y, 0, z, x.length, y.length);
            return z;
        }).orElseThrow();
    }

    @Test
    void zeroWeightsLeaveTheAdapterUnchangedEvenWithAdamMomentum() {
        try (LanguageModel m = CamelsFixtures.model(2); Adapter a = Adapter.create(m, DELTA, "camels", 1);
                Optimizer adam = new Optimizer.AdamW(a.manager(), 1e-2f, 0f)) {
            OnlineDocumentLearner uniform = new OnlineDocumentLearner(m, a, adam, TokenWeighting.UNIFORM, 0f);
            assertTrue(uniform.learn(CamelsFixtures.WORLD.documents().get(6).text()).applied(), "a first document gives Adam momentum");
            float[] before = flat(a);
            DocumentTokens doc = uniform.windows(DOC).get(0);
            StepResult r = uniform.learn(doc, new float[doc.length()]);
            float[] after = flat(a);
            assertFalse(r.applied(), r.toString());
            assertTrue(Arrays.equals(before, after), "all-zero weights must not move the adapter");
            OnlineDocumentLearner none = new OnlineDocumentLearner(m, a, adam, TokenWeighting.NONE, 0f);
            assertFalse(none.learn(DOC).applied());
            assertTrue(Arrays.equals(before, flat(a)), "'none' must not move the adapter");
            System.out.println("zero weights: " + r.refusal() + "; adapter bit-identical");
        }
    }

    @Test
    void weightsChangeTheUpdateAndScaleItLinearlyUnderSgd() {
        float[][] updates = new float[3][];
        String[] names = {"uniform", "salient-spans", "2 × salient-spans"};
        for (int k = 0; k < 3; k++) {
            try (LanguageModel m = CamelsFixtures.model(2); Adapter a = Adapter.create(m, DELTA, "camels", 1);
                    Optimizer sgd = new Optimizer.Sgd(a.manager(), 0.5f, 0f)) {
                TokenWeighting w = k == 0 ? TokenWeighting.UNIFORM : new SalientSpans(Set.of());
                OnlineDocumentLearner learner = new OnlineDocumentLearner(m, a, sgd, w, 0f);
                DocumentTokens doc = learner.windows(DOC).get(0);
                float[] weights = w.weights(doc);
                if (k == 2) {
                    for (int i = 0; i < weights.length; i++) {
                        weights[i] *= 2;
                    }
                }
                StepResult r = learner.learn(doc, weights);
                assertTrue(r.applied(), r.toString());
                updates[k] = flat(a);
                System.out.printf("%s: loss %.4f, gradient norm %.4e%n", names[k], r.loss(), r.gradNorm());
            }
        }
        float differ = 0;
        float linear = 0;
        float size = 0;
        for (int i = 0; i < updates[0].length; i++) {
            differ = Math.max(differ, Math.abs(updates[0][i] - updates[1][i]));
            linear = Math.max(linear, Math.abs(updates[2][i] - 2 * updates[1][i]));
            size = Math.max(size, Math.abs(updates[1][i]));
        }
        System.out.printf("uniform vs salient update: max |Δ| %.3e; 2w vs 2×(w) update: max |Δ| %.3e (update size %.3e)%n", differ, linear, size);
        assertTrue(size > 0, "the salient update is not empty");
        assertTrue(differ > 0.01 * size, "different weights must give different updates");
        assertTrue(linear < 1e-4 * size, "an SGD update is linear in the token weights: " + linear);
        assertEquals(updates[0].length, updates[1].length);
    }

    @Test
    void aDocumentLongerThanTheContextIsLearnedFromEveryWindowInOneStep() {
        String longDoc = String.join(" ", CamelsFixtures.WORLD.documents().subList(0, 4).stream().map(d -> d.text()).toList());
        try (LanguageModel m = CamelsFixtures.model(2); Adapter a = Adapter.create(m, DELTA, "camels", 1);
                Optimizer sgd = new Optimizer.Sgd(a.manager(), 0.5f, 0f)) {
            OnlineDocumentLearner learner = new OnlineDocumentLearner(m, a, sgd, TokenWeighting.UNIFORM, 0f);
            List<DocumentTokens> windows = learner.windows(longDoc);
            int covered = windows.stream().mapToInt(w -> w.length() - 1).sum();
            int total = DocumentTokens.full(m, longDoc).length() - 1;
            System.out.printf("%d tokens in %d windows of at most %d%n", total, windows.size(), m.config().maxPositions());
            assertTrue(windows.size() > 1, "the test document must exceed the context");
            assertEquals(total, covered, "every token is predicted exactly once");
            windows.forEach(w -> assertEquals(m.startToken(), w.ids()[0], "each window starts with the start token"));
            windows.forEach(w -> assertTrue(w.length() <= m.config().maxPositions()));
            StepResult r = learner.learn(longDoc);
            assertTrue(r.applied(), r.toString());
        }
    }
}
