package dev.freshet.adaptation.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.train.GradientStep;
import dev.freshet.adaptation.train.TokenBatch;
import dev.freshet.adaptation.train.WeightedLoss;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Gradients survive a garbage collection between forward and backward. DJL 0.35.1's {@code mul(Number)}
 * lends autograd a scalar in Java memory and frees it at once; {@link Ops#constant} is the fix.
 */
class OpsTest {

    @Test
    void aConstantFactorKeepsItsGradientThroughGarbageCollection() {
        try (NDManager m = NDManager.newBaseManager(); NDScope s = new NDScope()) {
            NDArray x = m.create(new float[] {1f, 2f, 3f});
            GradientStep.Gradients g = GradientStep.gradients(Map.of("x", x), leaves -> {
                NDArray y = leaves.get("x").mul(Ops.constant(leaves.get("x"), 2.0)).sum();
                churnAndCollect();
                return y;
            });
            assertArrayEquals(new float[] {2f, 2f, 2f}, g.grads().get("x"), 0f);
        }
    }

    @ParameterizedTest
    @EnumSource(ModelConfig.Family.class)
    void modelGradientsAreTheSameWithAndWithoutACollectionBeforeBackward(ModelConfig.Family family) {
        try (LanguageModel model = family == ModelConfig.Family.GPT2 ? TinyModels.gpt2(3) : TinyModels.llama(3);
                Adapter a = Adapter.create(model, new AdapterSpec.Lora(4, 8f, List.of(family == ModelConfig.Family.GPT2 ? "c_fc" : "up_proj")), "t", 1)) {
            a.tensors().values().forEach(t -> t.set(t.getManager().randomNormal(0f, 0.1f, t.getShape(), t.getDataType()).toFloatArray()));
            TokenBatch b = TokenBatch.of(List.of(TokenBatch.Sequence.uniform(model.encodeWithStart("Tovrak Melun works at Karvel Dynamics"))));
            Function<Boolean, Map<String, float[]>> grads = collect -> GradientStep.gradients(a.tensors(), leaves -> {
                NDArray loss = WeightedLoss.of(model.logits(model.weights(), a.over(leaves), b.inputsArray(model.manager())),
                        b.targetsArray(model.manager()), b.weightsArray(model.manager()), b.predicted());
                if (collect) {
                    churnAndCollect();
                }
                return loss;
            }).grads();
            Map<String, float[]> quiet = grads.apply(false);
            Map<String, float[]> collected = grads.apply(true);
            for (String name : quiet.keySet()) {
                assertArrayEquals(quiet.get(name), collected.get(name), 0f, name);
            }
        }
    }

    private static void churnAndCollect() {
        for (int i = 0; i < 10; i++) {
            byte[][] junk = new byte[1000][];
            for (int j = 0; j < junk.length; j++) {
                junk[j] = new byte[1024];
            }
            System.gc();
        }
    }
}
