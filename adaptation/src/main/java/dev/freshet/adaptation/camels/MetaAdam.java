package dev.freshet.adaptation.camels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.checkpoint.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam on the weighting model's parameters φ, with its moments exportable so a meta-training run resumes exactly
 * ({@link dev.freshet.adaptation.train.Optimizer.AdamW} keeps its state private). Moments live in this object's
 * manager; temporaries of an update live in the caller's scope.
 */
final class MetaAdam implements AutoCloseable {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    private final NDManager state;
    private final float lr;
    private final Map<String, NDArray[]> moments = new LinkedHashMap<>();
    private long step;

    MetaAdam(NDManager parent, float lr) {
        this.state = parent.newSubManager();
        this.lr = lr;
    }

    /** Updates every parameter in place: θ ← θ − lr · m̂ / (√v̂ + ε). */
    void update(Map<String, NDArray> params, Map<String, NDArray> grads) {
        step++;
        double c1 = 1 - Math.pow(BETA1, step);
        double c2 = 1 - Math.pow(BETA2, step);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray g = grads.get(e.getKey());
            NDArray[] mv = moments(e.getKey(), e.getValue());
            mv[0].muli(BETA1).addi(g.mul(1 - BETA1));
            mv[1].muli(BETA2).addi(g.square().mul(1 - BETA2));
            NDArray denom = mv[1].div((float) c2).sqrt().add(EPS);
            e.getValue().subi(mv[0].div(denom).mul((float) (lr / c1)));
        }
    }

    private NDArray[] moments(String name, NDArray like) {
        return moments.computeIfAbsent(name, k -> {
            NDArray m = state.zeros(like.getShape());
            NDArray v = state.zeros(like.getShape());
            NDScope.unregister(m, v); // state outlives the step's scope
            return new NDArray[] {m, v};
        });
    }

    /** Updates applied so far. */
    long step() {
        return step;
    }

    /** The moments as F32 tensors named {@code m.<param>} and {@code v.<param>}. */
    Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        moments.forEach((name, mv) -> {
            out.put("m." + name, Tensor.ofFloats(DType.F32, mv[0].getShape().getShape(), mv[0].toFloatArray()));
            out.put("v." + name, Tensor.ofFloats(DType.F32, mv[1].getShape().getShape(), mv[1].toFloatArray()));
        });
        return out;
    }

    /** Restores moments written by {@link #stateTensors} and the step count they belong to. */
    void restore(Map<String, Tensor> tensors, Map<String, NDArray> params, long steps) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            Tensor m = tensors.get("m." + e.getKey());
            Tensor v = tensors.get("v." + e.getKey());
            if (m == null || v == null) {
                continue; // no update had touched it yet
            }
            NDArray[] mv = moments(e.getKey(), e.getValue());
            mv[0].set(m.toFloats());
            mv[1].set(v.toFloats());
        }
        this.step = steps;
    }

    @Override
    public void close() {
        state.close();
    }
}
