package dev.freshet.adaptation.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
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

/**
 * Gradients survive a garbage collection between forward and backward. DJL 0.35.1's {@code mul(Number)}
 * lends autograd a scalar in Java memory and frees it at once; {@link Ops#constant} is the fix (before it
 * cloned, its float64 constants still borrowed that memory: the CI failure of a float64 finite-difference check).
 */
class OpsTest {

    /** float32 (training) and float64 (the meta-gradient checks), where the scalar's own type needs no conversion. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT32", "FLOAT64"})
    void aConstantFactorKeepsItsGradientThroughGarbageCollection(DataType type) {
        try (NDManager m = NDManager.newBaseManager(); NDScope s = new NDScope()) {
            NDArray x = m.create(new double[] {1, 2, 3}).toType(type, false);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Devices.engine().newGradientCollector()) {
                NDArray y = x.mul(Ops.constant(x, 2.0)).sum();
                churnAndCollect();
                gc.backward(y);
            }
            assertArrayEquals(new double[] {2, 2, 2}, x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray(), 0);
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
