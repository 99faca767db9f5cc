package dev.freshet.adaptation.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;

/**
 * The building blocks both architectures share, as plain functions of NDArrays.
 *
 * <p>Shapes: B batch, T new tokens, S cached + new tokens, H query heads, D head size, C channels.
 * Every result attaches to its first operand's manager, so callers pass the activation first and run
 * inside an {@link ai.djl.ndarray.NDScope} that frees the temporaries.
 */
public final class Ops {

    private static final float MASKED = -1e30f;

    private Ops() {}

    /**
     * A 0-d tensor holding {@code value} in {@code like}'s dtype and device, owned by libtorch.
     *
     * <p>Use it for every scalar that multiplies, divides or raises a tensor on a path autograd records.
     * DJL 0.35.1's {@code mul/div/pow(Number)} wrap the number in a tensor that borrows Java memory and
     * close it straight after the op; autograd keeps that tensor for the backward pass, so a garbage
     * collection between forward and backward turns the gradient into garbage ({@code OpsTest} shows it).
     * The copy is a {@code duplicate()} (a libtorch clone): {@code toType(same type, copy=true)} returns a view
     * of the same borrowed memory, which garbled float64 gradients whenever a collection came at the wrong time.
     */
    public static NDArray constant(NDArray like, double value) {
        NDArray borrowed = like.getManager().create(value); // float64, in Java memory
        NDArray owned = borrowed.duplicate().toType(like.getDataType(), false).toDevice(like.getDevice(), false);
        borrowed.close();
        return owned;
    }

    /**
     * A projection plus whatever the adapter adds to it.
     *
     * @param x input [B, T, in]
     * @param spec the projection weight's spec (its orientation)
     * @param w the weight, [in, out] or [out, in] per spec
     * @param bias [out] or null
     */
    public static NDArray project(NDArray x, ParamSpec spec, NDArray w, NDArray bias, Adaptation adaptation) {
        NDArray y;
        if (spec.role() == ParamSpec.Role.PROJECTION_OUT_IN) {
            y = bias == null ? Linear.linear(x, w).singletonOrThrow() : Linear.linear(x, w, bias).singletonOrThrow();
        } else {
            y = x.matMul(w);
            if (bias != null) {
                y = y.add(bias);
            }
        }
        NDArray extra = adaptation.delta(spec.module(), x);
        return extra == null ? y : y.add(extra);
    }

    /** LayerNorm over the last axis (GPT-2). */
    public static NDArray layerNorm(NDArray x, NDArray gain, NDArray bias, float eps) {
        return LayerNorm.layerNorm(x, new Shape(gain.getShape().get(0)), gain, bias, eps).singletonOrThrow();
    }

    /** RMSNorm over the last axis (Llama): x · (mean(x²) + ε)^-½ · g. */
    public static NDArray rmsNorm(NDArray x, NDArray gain, float eps) {
        NDArray inverseRms = x.square().mean(new int[] {-1}, true).add(eps).pow(constant(x, -0.5));
        return x.mul(inverseRms).mul(gain);
    }

    /** GPT-2's activations: {@code gelu} is the exact erf form, {@code gelu_new} the tanh approximation. */
    public static NDArray gelu(NDArray x, String kind) {
        if (kind.equals("gelu_new") || kind.equals("gelu_pytorch_tanh") || kind.equals("gelu_fast")) {
            // 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
            NDArray inner = x.add(x.mul(x).mul(x).mul(constant(x, 0.044715))).mul(constant(x, Math.sqrt(2.0 / Math.PI)));
            return x.mul(inner.tanh().add(1f)).mul(constant(x, 0.5));
        }
        return Activation.gelu(x);
    }

    /** SiLU, x · σ(x) (Llama's gate activation). */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** [B, T, H·D] → [B, H, T, D]. */
    public static NDArray splitHeads(NDArray x, int heads) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** [B, H, T, D] → [B, T, H·D]. */
    public static NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }

    /** Grouped-query attention: [B, Hkv, S, D] → [B, Hkv·rep, S, D] by repeating each kv head. */
    public static NDArray repeatKv(NDArray kv, int rep) {
        if (rep == 1) {
            return kv;
        }
        Shape s = kv.getShape();
        return kv.expandDims(2).broadcast(s.get(0), s.get(1), rep, s.get(2), s.get(3)).reshape(s.get(0), s.get(1) * rep, s.get(2), s.get(3));
    }

    /**
     * Causal scaled dot-product attention of T new queries over S = past + T keys.
     *
     * @param q [B, H, T, D]
     * @param k [B, H, S, D]
     * @param v [B, H, S, D]
     * @return [B, H, T, D]
     */
    public static NDArray causalAttention(NDArray q, NDArray k, NDArray v) {
        long t = q.getShape().get(2);
        long s = k.getShape().get(2);
        long d = q.getShape().get(3);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(constant(q, 1.0 / Math.sqrt(d)));
        if (t > 1) {
            scores = scores.add(causalMask(q, t, s));
        }
        return scores.softmax(-1).matMul(v);
    }

    /** [T, S] additive mask: query i (absolute position S−T+i) sees keys 0..S−T+i. */
    static NDArray causalMask(NDArray like, long t, long s) {
        float[] m = new float[(int) (t * s)];
        long past = s - t;
        for (int i = 0; i < t; i++) {
            for (long j = past + i + 1; j < s; j++) {
                m[(int) (i * s + j)] = MASKED;
            }
        }
        return like.getManager().create(m, new Shape(t, s));
    }

    /**
     * Rotary position embedding, Hugging Face "rotate half" layout: x·cos + rotateHalf(x)·sin.
     *
     * @param x [B, H, T, D]
     * @param cos [T, D] for the positions of these T tokens
     * @param sin [T, D]
     */
    public static NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDArray first = x.get(new NDIndex("..., :{}", half));
        NDArray second = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new NDList(second.neg(), first), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
