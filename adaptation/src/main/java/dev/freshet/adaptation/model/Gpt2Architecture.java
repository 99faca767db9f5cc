package dev.freshet.adaptation.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 (Radford et al. 2019): learned positions, pre-LayerNorm blocks, fused q/k/v projection,
 * GELU MLP, output projection tied to the token embedding.
 *
 * <p>Shapes: B batch, T new tokens, S cached + new, C channels, H heads, D = C/H, V vocab, I MLP width.
 * Weights keep Hugging Face's names and {@code Conv1D} layout ([in, out]), so a {@code gpt2} or
 * {@code distilgpt2} {@code model.safetensors} loads unchanged.
 */
final class Gpt2Architecture implements Architecture {

    private final ModelConfig cfg;
    private final List<ParamSpec> params = new ArrayList<>();
    private final Map<String, ParamSpec> byName = new HashMap<>();

    Gpt2Architecture(ModelConfig cfg) {
        this.cfg = cfg;
        long c = cfg.hidden();
        long i = cfg.intermediate();
        add("wte.weight", ParamSpec.Role.EMBEDDING, cfg.vocabSize(), c);
        add("wpe.weight", ParamSpec.Role.EMBEDDING, cfg.maxPositions(), c);
        for (int l = 0; l < cfg.layers(); l++) {
            String h = "h." + l + ".";
            add(h + "ln_1.weight", ParamSpec.Role.NORM_GAIN, c);
            add(h + "ln_1.bias", ParamSpec.Role.BIAS, c);
            add(h + "attn.c_attn.weight", ParamSpec.Role.PROJECTION_IN_OUT, c, 3 * c);
            add(h + "attn.c_attn.bias", ParamSpec.Role.BIAS, 3 * c);
            add(h + "attn.c_proj.weight", ParamSpec.Role.PROJECTION_IN_OUT, c, c);
            add(h + "attn.c_proj.bias", ParamSpec.Role.BIAS, c);
            add(h + "ln_2.weight", ParamSpec.Role.NORM_GAIN, c);
            add(h + "ln_2.bias", ParamSpec.Role.BIAS, c);
            add(h + "mlp.c_fc.weight", ParamSpec.Role.PROJECTION_IN_OUT, c, i);
            add(h + "mlp.c_fc.bias", ParamSpec.Role.BIAS, i);
            add(h + "mlp.c_proj.weight", ParamSpec.Role.PROJECTION_IN_OUT, i, c);
            add(h + "mlp.c_proj.bias", ParamSpec.Role.BIAS, c);
        }
        add("ln_f.weight", ParamSpec.Role.NORM_GAIN, c);
        add("ln_f.bias", ParamSpec.Role.BIAS, c);
    }

    private void add(String name, ParamSpec.Role role, long... shape) {
        ParamSpec p = new ParamSpec(name, shape, role);
        params.add(p);
        byName.put(name, p);
    }

    @Override
    public ModelConfig config() {
        return cfg;
    }

    @Override
    public List<ParamSpec> parameters() {
        return params;
    }

    @Override
    public boolean isIgnorable(String name) {
        // The causal-mask buffers some exports carry, and the tied output projection.
        return name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias") || name.equals("lm_head.weight");
    }

    @Override
    public NDArray logits(ParameterSource p, Adaptation a, NDArray ids, KvCache cache) {
        long t = ids.getShape().get(1);
        int past = cache == null ? 0 : cache.length();
        if (past + t > cfg.maxPositions()) {
            throw new IllegalArgumentException(
                    "sequence of " + (past + t) + " tokens exceeds the model's " + cfg.maxPositions() + " positions");
        }
        // 1. token + position embeddings: [B, T, C]
        NDArray x = Embedding.embedding(ids, p.get("wte.weight"), SparseFormat.DENSE).singletonOrThrow();
        x = x.add(p.get("wpe.weight").get(new NDIndex("{}:{}", past, past + t)));
        for (int l = 0; l < cfg.layers(); l++) {
            String h = "h." + l + ".";
            // 2. attention sub-block: x += c_proj(attn(ln_1(x)))
            NDArray a1 = Ops.layerNorm(x, p.get(h + "ln_1.weight"), p.get(h + "ln_1.bias"), cfg.normEps());
            NDList qkv = proj(a1, h + "attn.c_attn", p, a).split(3, 2); // 3 × [B, T, C] (DJL split wants a non-negative axis)
            NDArray q = Ops.splitHeads(qkv.get(0), cfg.heads()); // [B, H, T, D]
            NDArray k = Ops.splitHeads(qkv.get(1), cfg.heads());
            NDArray v = Ops.splitHeads(qkv.get(2), cfg.heads());
            if (cache != null) {
                NDArray[] kv = cache.append(l, k, v); // [B, H, S, D]
                k = kv[0];
                v = kv[1];
            }
            NDArray y = Ops.mergeHeads(Ops.causalAttention(q, k, v)); // [B, T, C]
            x = x.add(proj(y, h + "attn.c_proj", p, a));
            // 3. MLP sub-block: x += c_proj(gelu(c_fc(ln_2(x))))
            NDArray a2 = Ops.layerNorm(x, p.get(h + "ln_2.weight"), p.get(h + "ln_2.bias"), cfg.normEps());
            NDArray m = Ops.gelu(proj(a2, h + "mlp.c_fc", p, a), cfg.activation()); // [B, T, I]
            x = x.add(proj(m, h + "mlp.c_proj", p, a));
        }
        if (cache != null) {
            cache.advance((int) t);
        }
        // 4. final norm and tied output projection: [B, T, V]
        NDArray xf = Ops.layerNorm(x, p.get("ln_f.weight"), p.get("ln_f.bias"), cfg.normEps());
        return Linear.linear(xf, p.get("wte.weight")).singletonOrThrow();
    }

    private NDArray proj(NDArray x, String module, ParameterSource p, Adaptation a) {
        return Ops.project(x, byName.get(module + ".weight"), p.get(module + ".weight"), p.get(module + ".bias"), a);
    }
}
