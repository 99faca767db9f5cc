package dev.freshet.adaptation.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.checkpoint.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The frozen base parameters of one model, by Hugging Face name, computed in fp32.
 *
 * <p>Owns its manager: the arrays live as long as the model. Loading checks every name and shape against
 * the architecture and names the tensor and both shapes on a mismatch (Jlama, nanoGPT
 * {@code from_pretrained}). Requests and training read them through {@link ParameterSource} and never
 * write them; only pretraining updates them, in place, between steps.
 */
public final class Weights implements ParameterSource, AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray> arrays;

    private Weights(NDManager manager, Map<String, NDArray> arrays) {
        this.manager = manager;
        this.arrays = arrays;
    }

    @Override
    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return a;
    }

    /** Every parameter, in the architecture's order (a live view: pretraining updates these in place). */
    public Map<String, NDArray> all() {
        return arrays;
    }

    public NDManager manager() {
        return manager;
    }

    /**
     * Loads checkpoint tensors (any float dtype) for an architecture.
     *
     * @throws IllegalArgumentException naming the tensor when one is missing, unexpected or mis-shaped
     */
    public static Weights load(Architecture arch, Map<String, Tensor> tensors, NDManager parent) {
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            // GPT2LMHeadModel.save_pretrained prefixes the body with "transformer."
            String name = e.getKey().startsWith("transformer.") ? e.getKey().substring("transformer.".length()) : e.getKey();
            byName.put(name, e.getValue());
        }
        NDManager m = parent.newSubManager();
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        try {
            for (ParamSpec spec : arch.parameters()) {
                Tensor t = byName.remove(spec.name());
                if (t == null) {
                    throw new IllegalArgumentException("checkpoint lacks tensor " + spec.name() + " " + Arrays.toString(spec.shape()));
                }
                if (!Arrays.equals(t.shape(), spec.shape())) {
                    throw new IllegalArgumentException("tensor " + spec.name() + " has shape " + Arrays.toString(t.shape())
                            + " but the config implies " + Arrays.toString(spec.shape()));
                }
                arrays.put(spec.name(), m.create(t.toFloats(), new Shape(spec.shape())));
            }
            byName.keySet().removeIf(arch::isIgnorable);
            if (!byName.isEmpty()) {
                throw new IllegalArgumentException("checkpoint has tensors this architecture does not use: " + byName.keySet());
            }
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return new Weights(m, arrays);
    }

    /**
     * Fresh weights for pretraining: N(0, 0.02) for projections and embeddings, with residual output
     * projections scaled by 1/√(2L) (GPT-2 paper §2.3), gains one, biases zero. Deterministic in the seed.
     */
    public static Weights initialize(Architecture arch, long seed, NDManager parent) {
        SplittableRandom rng = new SplittableRandom(seed);
        double residualScale = 1.0 / Math.sqrt(2.0 * arch.config().layers());
        NDManager m = parent.newSubManager();
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (ParamSpec spec : arch.parameters()) {
            float[] v = new float[Math.toIntExact(spec.numel())];
            switch (spec.role()) {
                case NORM_GAIN -> Arrays.fill(v, 1f);
                case BIAS -> { }
                default -> {
                    boolean residual = spec.name().endsWith("c_proj.weight") || spec.name().endsWith("o_proj.weight")
                            || spec.name().endsWith("down_proj.weight");
                    double std = 0.02 * (residual ? residualScale : 1.0);
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (gaussian(rng) * std);
                    }
                }
            }
            arrays.put(spec.name(), m.create(v, new Shape(spec.shape())));
        }
        return new Weights(m, arrays);
    }

    /** The weights as checkpoint tensors of one dtype (F32, F16 or BF16), in the architecture's order. */
    public Map<String, Tensor> toTensors(List<ParamSpec> specs, DType dtype) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParamSpec spec : specs) {
            out.put(spec.name(), Tensor.ofFloats(dtype, spec.shape(), arrays.get(spec.name()).toFloatArray()));
        }
        return out;
    }

    /** Total number of parameters. */
    public long parameterCount() {
        return arrays.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    private static double gaussian(SplittableRandom rng) {
        // Box–Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - rng.nextDouble();
        double w = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2 * Math.PI * w);
    }

    @Override
    public void close() {
        manager.close();
    }
}
