package dev.freshet.adaptation.mwi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.editing.BreadthFirstEditor;
import dev.freshet.adaptation.editing.EditSettings;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.TinyModels;
import dev.freshet.adaptation.train.StepResult;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** MWI against its limits (τ = 0, τ = 1), its naive reference, and its reset policy. */
class MomentumInterpolationTest {

    private static final AdapterSpec DELTA = new AdapterSpec.Delta(List.of("h.1.mlp.c_proj"));
    private static final StepResult APPLIED = new StepResult(true, 1f, 1f, null, false);
    private static final StepResult REFUSED = new StepResult(false, Float.NaN, Float.NaN, "test", false);

    private static List<WorldEdit> edits() {
        List<WorldEdit> out = new ArrayList<>();
        for (String s : List.of("Tovrak Melun", "Karvel Dynamics", "Sarvel")) {
            out.add(new WorldEdit(s, "Q: Where was " + s + " born?\nA:", "Karvel", List.of(), List.of()));
        }
        return out;
    }

    private static Map<String, float[]> values(Map<String, NDArray> t) {
        Map<String, float[]> out = new LinkedHashMap<>();
        t.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    @Test
    void tauZeroServesExactlyTheTrainedWeightsAfterEveryInterpolation() {
        try (LanguageModel m = TinyModels.gpt2(4); Adapter a = Adapter.create(m, DELTA, "test", 1);
                MomentumInterpolation mwi = new MomentumInterpolation(a, new MwiSettings(0, 1, MwiSettings.ResetPolicy.NEVER))) {
            BreadthFirstEditor bf = new BreadthFirstEditor(m, a, a.modules(), EditSettings.DEFAULTS.withThresholds(0f, 0f).withMaxEpochs(3).withLearningRate(1e-2f));
            List<Boolean> equalAfterStep = new ArrayList<>();
            bf.afterEachStep(mwi::afterStep);
            bf.afterEachStep(r -> equalAfterStep.add(Arrays.equals(values(mwi.slowTensors()).get("h.1.mlp.c_proj.delta"), a.tensors().get("h.1.mlp.c_proj.delta").toFloatArray())));
            bf.apply(edits());
            assertEquals(3, mwi.interpolations());
            assertEquals(List.of(true, true, true), equalAfterStep, "with τ = 0 the slow copy is the fast one after every interpolation");
            assertTrue(a.tensors().get("h.1.mlp.c_proj.delta").abs().sum().getFloat() > 0, "training must have moved the fast weights");
        }
    }

    @Test
    void tauOneNeverMovesTheSlowWeightsOffTheBaseModel() {
        try (LanguageModel m = TinyModels.gpt2(4); Adapter a = Adapter.create(m, DELTA, "test", 1);
                MomentumInterpolation mwi = new MomentumInterpolation(a, new MwiSettings(1, 1, MwiSettings.ResetPolicy.NEVER))) {
            BreadthFirstEditor bf = new BreadthFirstEditor(m, a, a.modules(), EditSettings.DEFAULTS.withThresholds(0f, 0f).withMaxEpochs(3).withLearningRate(1e-2f));
            bf.afterEachStep(mwi::afterStep);
            bf.apply(edits());
            assertEquals(3, mwi.interpolations());
            float[] slow = mwi.slowTensors().get("h.1.mlp.c_proj.delta").toFloatArray();
            assertArrayEquals(new float[slow.length], slow, "τ = 1 keeps the slow delta at zero");
            assertTrue(a.tensors().get("h.1.mlp.c_proj.delta").abs().sum().getFloat() > 0);
            assertEquals(Double.POSITIVE_INFINITY, mwi.halfLifeSteps());
        }
    }

    @Test
    void updateMatchesTheNaiveReferenceOnLora() {
        MwiSettings s = new MwiSettings(0.9, 2, MwiSettings.ResetPolicy.NEVER);
        AdapterSpec lora = new AdapterSpec.Lora(4, 8f, List.of("c_attn", "mlp.c_proj"));
        try (LanguageModel m = TinyModels.gpt2(4); Adapter a = Adapter.create(m, lora, "test", 1); MomentumInterpolation mwi = new MomentumInterpolation(a, s)) {
            // Reference slow copy: zero delta, i.e. LoRA A as the fast A, B zero.
            Map<String, float[]> ref = new LinkedHashMap<>();
            a.tensors().forEach((k, v) -> ref.put(k, k.endsWith(".lora_A.weight") ? v.toFloatArray() : new float[(int) v.size()]));
            SplittableRandom rng = new SplittableRandom(9);
            for (int step = 1; step <= 9; step++) {
                for (NDArray t : a.tensors().values()) { // stand-in for a trainer's in-place update
                    float[] v = new float[(int) t.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) rng.nextGaussian();
                    }
                    t.set(v);
                }
                mwi.afterStep(REFUSED); // a refused step neither counts nor interpolates
                mwi.afterStep(APPLIED);
                if (step % 2 == 0) {
                    a.tensors().forEach((k, v) -> NaiveInterpolation.interpolate(ref.get(k), v.toFloatArray(), 0.9));
                }
            }
            assertEquals(9, mwi.steps());
            assertEquals(4, mwi.interpolations());
            for (Map.Entry<String, float[]> e : ref.entrySet()) {
                float[] got = mwi.slowTensors().get(e.getKey()).toFloatArray();
                double d = 0;
                for (int i = 0; i < got.length; i++) {
                    d = Math.max(d, Math.abs(got[i] - e.getValue()[i]));
                }
                System.out.printf("MWI vs naive reference, %-32s max |Δ| = %.2e%n", e.getKey(), d);
                assertTrue(d < 1e-5, e.getKey() + " differs by " + d);
            }
        }
    }

    @Test
    void perWindowResetSetsTheFastWeightsToTheSlowOnes() {
        for (MwiSettings.ResetPolicy policy : MwiSettings.ResetPolicy.values()) {
            try (LanguageModel m = TinyModels.gpt2(4); Adapter a = Adapter.create(m, DELTA, "test", 1);
                    MomentumInterpolation mwi = new MomentumInterpolation(a, new MwiSettings(0.5, 1, policy))) {
                BreadthFirstEditor bf = new BreadthFirstEditor(m, a, a.modules(), EditSettings.DEFAULTS.withThresholds(0f, 0f).withMaxEpochs(2).withLearningRate(1e-2f));
                bf.afterEachStep(mwi::afterStep);
                bf.apply(edits());
                float[] fast = a.tensors().get("h.1.mlp.c_proj.delta").toFloatArray();
                float[] slow = mwi.slowTensors().get("h.1.mlp.c_proj.delta").toFloatArray();
                assertFalse(Arrays.equals(fast, slow), "τ = 0.5 keeps slow behind fast");
                mwi.onWindowBoundary();
                float[] after = a.tensors().get("h.1.mlp.c_proj.delta").toFloatArray();
                if (policy == MwiSettings.ResetPolicy.PER_WINDOW) {
                    assertArrayEquals(slow, after, "PER_WINDOW: fast ← slow");
                    assertEquals(1, mwi.resets());
                } else {
                    assertArrayEquals(fast, after, "NEVER: fast untouched");
                    assertEquals(0, mwi.resets());
                }
            }
        }
    }

    @Test
    void theSlowCopyStartsAsTheBaseModelAndIsServedThroughTheAdapter() {
        AdapterSpec lora = new AdapterSpec.Lora(4, 8f, List.of("c_attn"));
        try (LanguageModel m = TinyModels.gpt2(4); Adapter a = Adapter.create(m, lora, "test", 1); MomentumInterpolation mwi = new MomentumInterpolation(a, MwiSettings.DEFAULTS);
                NDScope scope = new NDScope()) {
            for (NDArray t : a.tensors().values()) {
                t.addi(0.5f); // fast weights away from zero delta
            }
            int[] ids = m.encodeWithStart("Tovrak Melun works at Karvel");
            NDArray x = m.manager().create(LanguageModel.toLongs(ids), new Shape(1, ids.length));
            float[] base = m.logits(m.weights(), Adaptation.NONE, x).toFloatArray();
            float[] slow = m.logits(m.weights(), mwi.slowAdaptation(), x).toFloatArray();
            float[] fast = m.logits(m.weights(), a.adaptation(), x).toFloatArray();
            assertArrayEquals(base, slow, 0f, "the slow copy starts at zero delta");
            assertFalse(Arrays.equals(base, fast));
            try (Adapter published = mwi.slowAdapter(a.manifest())) {
                assertArrayEquals(base, m.logits(m.weights(), published.adaptation(), x).toFloatArray(), 0f);
            }
        }
    }

    @Test
    void aResumedSlowCopyStartsAtTheFastWeightsAndThenFollowsThem() {
        AdapterSpec lora = new AdapterSpec.Lora(4, 8f, List.of("c_attn"));
        try (LanguageModel m = TinyModels.gpt2(4); Adapter a = Adapter.create(m, lora, "test", 1)) {
            for (NDArray t : a.tensors().values()) {
                t.addi(0.5f); // a stored version: B is no longer zero
            }
            Map<String, float[]> stored = values(a.tensors());
            try (MomentumInterpolation mwi = MomentumInterpolation.resumingFrom(a, new MwiSettings(0.5, 1, MwiSettings.ResetPolicy.NEVER))) {
                stored.forEach((k, v) -> assertArrayEquals(v, mwi.slowTensors().get(k).toFloatArray(), 0f, k));
                for (NDArray t : a.tensors().values()) {
                    t.addi(1f); // one trained step
                }
                mwi.afterStep(APPLIED);
                stored.forEach((k, v) -> {
                    float[] got = mwi.slowTensors().get(k).toFloatArray();
                    for (int i = 0; i < v.length; i++) {
                        assertEquals(v[i] + 0.5f, got[i], 1e-6f, k); // halfway from the stored weights to the fast ones
                    }
                });
            }
        }
    }

    @Test
    void aScopedSlowCopyFollowsOnlyItsTensorsAndServesTheOthersAsTrained() {
        AdapterSpec two = new AdapterSpec.Delta(List.of("h.0.mlp.c_proj", "h.1.mlp.c_proj"));
        for (MwiSettings.ResetPolicy policy : MwiSettings.ResetPolicy.values()) {
            try (LanguageModel m = TinyModels.gpt2(4); Adapter a = Adapter.create(m, two, "test", 1);
                    MomentumInterpolation mwi = MomentumInterpolation.resumingFrom(a, new MwiSettings(1, 1, policy), n -> n.startsWith("h.1."));
                    NDScope scope = new NDScope()) {
                for (NDArray t : a.tensors().values()) {
                    t.addi(0.25f); // one trained step on both tensors
                }
                mwi.afterStep(APPLIED);
                assertEquals(List.of("h.1.mlp.c_proj.delta"), List.copyOf(mwi.slowTensors().keySet()));
                float[] trained0 = a.tensors().get("h.0.mlp.c_proj.delta").toFloatArray();
                float[] trained1 = a.tensors().get("h.1.mlp.c_proj.delta").toFloatArray();
                float[] held1 = mwi.slowTensors().get("h.1.mlp.c_proj.delta").toFloatArray();
                assertFalse(Arrays.equals(trained1, held1), "τ = 1 holds the followed tensor back");
                try (Adapter published = mwi.slowAdapter(a.manifest())) {
                    assertArrayEquals(trained0, published.tensors().get("h.0.mlp.c_proj.delta").toFloatArray(), 0f, "unfollowed: as trained");
                    assertArrayEquals(held1, published.tensors().get("h.1.mlp.c_proj.delta").toFloatArray(), 0f, "followed: the slow twin");
                    int[] ids = m.encodeWithStart("Tovrak Melun works at Karvel");
                    NDArray x = m.manager().create(LanguageModel.toLongs(ids), new Shape(1, ids.length));
                    assertArrayEquals(m.logits(m.weights(), published.adaptation(), x).toFloatArray(),
                            m.logits(m.weights(), mwi.slowAdaptation(), x).toFloatArray(), 0f, "served = published");
                }
                mwi.onWindowBoundary();
                float[] after0 = a.tensors().get("h.0.mlp.c_proj.delta").toFloatArray();
                assertArrayEquals(trained0, after0, 0f, policy + ": a reset never touches an unfollowed tensor");
                assertArrayEquals(policy == MwiSettings.ResetPolicy.PER_WINDOW ? held1 : trained1, a.tensors().get("h.1.mlp.c_proj.delta").toFloatArray(), 0f);
            }
        }
    }

    @Test
    void settingsAreValidatedAndReportTheHalfLife() {
        assertEquals(13862.6, MwiSettings.DEFAULTS.halfLifeSteps(), 0.5, "τ = 0.9999, N = 2");
        assertEquals(1.0, new MwiSettings(0.5, 1, MwiSettings.ResetPolicy.NEVER).halfLifeSteps(), 1e-12);
        assertEquals(0.0, new MwiSettings(0, 3, MwiSettings.ResetPolicy.NEVER).halfLifeSteps());
        assertThrows(IllegalArgumentException.class, () -> new MwiSettings(1.5, 1, MwiSettings.ResetPolicy.NEVER));
        assertThrows(IllegalArgumentException.class, () -> new MwiSettings(Double.NaN, 1, MwiSettings.ResetPolicy.NEVER));
        assertThrows(IllegalArgumentException.class, () -> new MwiSettings(0.9, 0, MwiSettings.ResetPolicy.NEVER));
        assertThrows(IllegalArgumentException.class, () -> new MwiSettings(0.9, 1, null));
        assertEquals(MwiSettings.ResetPolicy.PER_WINDOW, MwiSettings.ResetPolicy.parse("per-window"));
    }
}
