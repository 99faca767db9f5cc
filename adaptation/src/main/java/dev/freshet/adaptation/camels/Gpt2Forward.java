package dev.freshet.adaptation.camels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.model.Ops;
import dev.freshet.adaptation.model.ParamSpec;
import dev.freshet.adaptation.model.ParameterSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's forward pass (same maths and names as the model core's GPT-2 architecture) with every scalar held as a
 * tensor that lives until the caller's scope closes, so it is safe to backpropagate through after a GC.
 *
 * <p>Why it exists: in DJL 0.35.1 {@code NDArray.mul/div/pow(Number)} wrap the scalar in a tensor that borrows a Java
 * direct buffer, run the op, and close the scalar at once; autograd keeps that tensor for the backward pass, so a
 * garbage collection between forward and backward frees the buffer and the gradient is multiplied by whatever
 * memory is there (measured: {@code d(2x)/dx} came back as −1.4e37, 8.2e11, … in 10 of 10 tries with a GC in
 * between). The core's {@code Ops.causalAttention} scales scores that way; this class scales them by
 * {@link #constant}. Once the core is fixed this class can go and callers can use {@link LanguageModel#logits}.
 *
 * <p>Shapes: B batch, T tokens, C channels, H heads, D = C/H, V vocab. Positions start at 0 (no KV cache).
 */
final class Gpt2Forward {

    private final ModelConfig cfg;
    private final Map<String, ParamSpec> specs = new HashMap<>();

    Gpt2Forward(ModelConfig cfg, List<ParamSpec> specs) {
        if (cfg.family() != ModelConfig.Family.GPT2) {
            throw new IllegalArgumentException("Gpt2Forward computes GPT-2 family models, got " + cfg.family());
        }
        this.cfg = cfg;
        specs.forEach(p -> this.specs.put(p.name(), p));
    }

    /** The forward pass of a GPT-2 family base model, or null for another family. */
    static Gpt2Forward forBase(LanguageModel model) {
        return model.config().family() == ModelConfig.Family.GPT2 ? new Gpt2Forward(model.config(), model.architecture().parameters()) : null;
    }

    /**
     * Logits through the tied output projection.
     *
     * @param ids [B, T] int64
     * @return [B, T, V]
     */
    NDArray logits(ParameterSource p, Adaptation a, NDArray ids) {
        return Linear.linear(hidden(p, a, ids), p.get("wte.weight")).singletonOrThrow();
    }

    /**
     * The last hidden states after the final LayerNorm.
     *
     * @param ids [B, T] int64
     * @return [B, T, C]
     */
    NDArray hidden(ParameterSource p, Adaptation a, NDArray ids) {
        long t = ids.getShape().get(1);
        if (t > cfg.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + t + " tokens exceeds the model's " + cfg.maxPositions() + " positions");
        }
        // 1. token + position embeddings: [B, T, C]
        NDArray x = Embedding.embedding(ids, p.get("wte.weight"), SparseFormat.DENSE).singletonOrThrow();
        x = x.add(p.get("wpe.weight").get(new NDIndex("0:{}", t)));
        for (int l = 0; l < cfg.layers(); l++) {
            String h = "h." + l + ".";
            // 2. x += c_proj(causal attention(ln_1(x)))
            NDArray a1 = Ops.layerNorm(x, p.get(h + "ln_1.weight"), p.get(h + "ln_1.bias"), cfg.normEps());
            var qkv = project(a1, h + "attn.c_attn", p, a).split(3, 2); // 3 × [B, T, C]
            NDArray y = causalAttention(Ops.splitHeads(qkv.get(0), cfg.heads()), Ops.splitHeads(qkv.get(1), cfg.heads()),
                    Ops.splitHeads(qkv.get(2), cfg.heads())); // [B, H, T, D]
            x = x.add(project(Ops.mergeHeads(y), h + "attn.c_proj", p, a));
            // 3. x += c_proj(gelu(c_fc(ln_2(x))))
            NDArray a2 = Ops.layerNorm(x, p.get(h + "ln_2.weight"), p.get(h + "ln_2.bias"), cfg.normEps());
            x = x.add(project(gelu(project(a2, h + "mlp.c_fc", p, a)), h + "mlp.c_proj", p, a));
        }
        // 4. final norm: [B, T, C]
        return Ops.layerNorm(x, p.get("ln_f.weight"), p.get("ln_f.bias"), cfg.normEps());
    }

    /** softmax(q kᵀ / √D + causal mask) v: [B, H, T, D] each → [B, H, T, D]. */
    private static NDArray causalAttention(NDArray q, NDArray k, NDArray v) {
        long t = q.getShape().get(2);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(Ops.constant(q, 1.0 / Math.sqrt(q.getShape().get(3)))); // [B, H, T, T]
        if (t > 1) {
            float[] mask = new float[(int) (t * t)];
            for (int i = 0; i < t; i++) {
                for (int j = i + 1; j < t; j++) {
                    mask[(int) (i * t + j)] = -1e30f;
                }
            }
            // Added, never multiplied: autograd does not keep an addend, so a borrowed buffer is fine here.
            scores = scores.add(q.getManager().create(mask, new ai.djl.ndarray.types.Shape(t, t)));
        }
        return scores.softmax(-1).matMul(v);
    }

    private NDArray gelu(NDArray x) {
        String kind = cfg.activation();
        if (kind.equals("gelu_new") || kind.equals("gelu_pytorch_tanh") || kind.equals("gelu_fast")) {
            // 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
            NDArray inner = x.add(x.mul(x).mul(x).mul(Ops.constant(x, 0.044715))).mul(Ops.constant(x, Math.sqrt(2.0 / Math.PI)));
            return x.mul(inner.tanh().add(1f)).mul(Ops.constant(x, 0.5));
        }
        return Activation.gelu(x);
    }

    private NDArray project(NDArray x, String module, ParameterSource p, Adaptation a) {
        return Ops.project(x, specs.get(module + ".weight"), p.get(module + ".weight"), p.get(module + ".bias"), a);
    }
}
