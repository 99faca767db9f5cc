package dev.freshet.adaptation.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Llama (Touvron et al. 2023) and its kin (Qwen2 adds q/k/v biases; SmolLM and Mistral are the same
 * graph): RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP.
 *
 * <p>Shapes: B batch, T new tokens, S cached + new, C channels, H query heads, G kv heads, D head size,
 * V vocab, I MLP width. Weights keep Hugging Face's names and {@code nn.Linear} layout ([out, in]).
 */
final class LlamaArchitecture implements Architecture {

    private final ModelConfig cfg;
    private final List<ParamSpec> params = new ArrayList<>();
    private final Map<String, ParamSpec> byName = new HashMap<>();
    private final NDArray cos; // [P, D]
    private final NDArray sin; // [P, D]

    LlamaArchitecture(ModelConfig cfg, NDManager constants) {
        this.cfg = cfg;
        long c = cfg.hidden();
        long d = cfg.headDim();
        long hq = (long) cfg.heads() * d;
        long hkv = (long) cfg.kvHeads() * d;
        add("model.embed_tokens.weight", ParamSpec.Role.EMBEDDING, cfg.vocabSize(), c);
        for (int l = 0; l < cfg.layers(); l++) {
            String h = "model.layers." + l + ".";
            add(h + "input_layernorm.weight", ParamSpec.Role.NORM_GAIN, c);
            add(h + "self_attn.q_proj.weight", ParamSpec.Role.PROJECTION_OUT_IN, hq, c);
            add(h + "self_attn.k_proj.weight", ParamSpec.Role.PROJECTION_OUT_IN, hkv, c);
            add(h + "self_attn.v_proj.weight", ParamSpec.Role.PROJECTION_OUT_IN, hkv, c);
            if (cfg.attentionBias()) {
                add(h + "self_attn.q_proj.bias", ParamSpec.Role.BIAS, hq);
                add(h + "self_attn.k_proj.bias", ParamSpec.Role.BIAS, hkv);
                add(h + "self_attn.v_proj.bias", ParamSpec.Role.BIAS, hkv);
            }
            add(h + "self_attn.o_proj.weight", ParamSpec.Role.PROJECTION_OUT_IN, c, hq);
            add(h + "post_attention_layernorm.weight", ParamSpec.Role.NORM_GAIN, c);
            add(h + "mlp.gate_proj.weight", ParamSpec.Role.PROJECTION_OUT_IN, cfg.intermediate(), c);
            add(h + "mlp.up_proj.weight", ParamSpec.Role.PROJECTION_OUT_IN, cfg.intermediate(), c);
            add(h + "mlp.down_proj.weight", ParamSpec.Role.PROJECTION_OUT_IN, c, cfg.intermediate());
        }
        add("model.norm.weight", ParamSpec.Role.NORM_GAIN, c);
        if (!cfg.tieEmbeddings()) {
            add("lm_head.weight", ParamSpec.Role.PROJECTION_OUT_IN, cfg.vocabSize(), c);
        }
        NDArray[] table = rotaryTable(constants);
        this.cos = table[0];
        this.sin = table[1];
    }

    /** cos/sin of p·θ^(−2i/D), duplicated across both halves as Hugging Face lays them out. */
    private NDArray[] rotaryTable(NDManager m) {
        int d = cfg.headDim();
        int positions = cfg.maxPositions();
        float[] c = new float[positions * d];
        float[] s = new float[positions * d];
        for (int pos = 0; pos < positions; pos++) {
            for (int i = 0; i < d / 2; i++) {
                double angle = pos / Math.pow(cfg.ropeTheta(), 2.0 * i / d);
                float ci = (float) Math.cos(angle);
                float si = (float) Math.sin(angle);
                c[pos * d + i] = ci;
                c[pos * d + i + d / 2] = ci;
                s[pos * d + i] = si;
                s[pos * d + i + d / 2] = si;
            }
        }
        return new NDArray[] {m.create(c, new Shape(positions, d)), m.create(s, new Shape(positions, d))};
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
        return name.endsWith("rotary_emb.inv_freq") || (cfg.tieEmbeddings() && name.equals("lm_head.weight"));
    }

    @Override
    public NDArray logits(ParameterSource p, Adaptation a, NDArray ids, KvCache cache) {
        long t = ids.getShape().get(1);
        int past = cache == null ? 0 : cache.length();
        if (past + t > cfg.maxPositions()) {
            throw new IllegalArgumentException(
                    "sequence of " + (past + t) + " tokens exceeds the model's " + cfg.maxPositions() + " positions");
        }
        NDIndex positions = new NDIndex("{}:{}", past, past + t);
        NDArray cosT = cos.get(positions); // [T, D]
        NDArray sinT = sin.get(positions);
        int rep = cfg.heads() / cfg.kvHeads();
        // 1. token embeddings: [B, T, C]
        NDArray x = Embedding.embedding(ids, p.get("model.embed_tokens.weight"), SparseFormat.DENSE).singletonOrThrow();
        for (int l = 0; l < cfg.layers(); l++) {
            String h = "model.layers." + l + ".";
            // 2. attention: x += o_proj(attn(rope(q), rope(k), v)) on rmsnorm(x)
            NDArray a1 = Ops.rmsNorm(x, p.get(h + "input_layernorm.weight"), cfg.normEps());
            NDArray q = Ops.rope(Ops.splitHeads(proj(a1, h + "self_attn.q_proj", p, a), cfg.heads()), cosT, sinT); // [B, H, T, D]
            NDArray k = Ops.rope(Ops.splitHeads(proj(a1, h + "self_attn.k_proj", p, a), cfg.kvHeads()), cosT, sinT); // [B, G, T, D]
            NDArray v = Ops.splitHeads(proj(a1, h + "self_attn.v_proj", p, a), cfg.kvHeads());
            if (cache != null) {
                NDArray[] kv = cache.append(l, k, v); // [B, G, S, D]
                k = kv[0];
                v = kv[1];
            }
            NDArray y = Ops.causalAttention(q, Ops.repeatKv(k, rep), Ops.repeatKv(v, rep));
            x = x.add(proj(Ops.mergeHeads(y), h + "self_attn.o_proj", p, a));
            // 3. SwiGLU MLP: x += down(silu(gate(n)) ⊙ up(n)), n = rmsnorm(x)
            NDArray a2 = Ops.rmsNorm(x, p.get(h + "post_attention_layernorm.weight"), cfg.normEps());
            NDArray gated = Ops.silu(proj(a2, h + "mlp.gate_proj", p, a)).mul(proj(a2, h + "mlp.up_proj", p, a)); // [B, T, I]
            x = x.add(proj(gated, h + "mlp.down_proj", p, a));
        }
        if (cache != null) {
            cache.advance((int) t);
        }
        // 4. final norm and output projection: [B, T, V]
        NDArray xf = Ops.rmsNorm(x, p.get("model.norm.weight"), cfg.normEps());
        String head = cfg.tieEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
        return Linear.linear(xf, p.get(head)).singletonOrThrow();
    }

    private NDArray proj(NDArray x, String module, ParameterSource p, Adaptation a) {
        ParamSpec spec = byName.get(module + ".weight");
        ParamSpec biasSpec = byName.get(module + ".bias");
        return Ops.project(x, spec, p.get(module + ".weight"), biasSpec == null ? null : p.get(module + ".bias"), a);
    }
}
