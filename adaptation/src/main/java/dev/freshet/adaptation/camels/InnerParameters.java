package dev.freshet.adaptation.camels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ParameterSource;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * θ, the parameters the inner SGD step of meta-training updates, and how a forward pass reads them.
 *
 * <p>Two choices:
 * <ul>
 *   <li>{@link #allBaseWeights} (the default, and the reference code's choice, arXiv 2305.15076 §3): every base
 *       weight. The gradient is full-rank, so the meta-gradient sees every direction a document can move the
 *       model; the learned weighting is a property of the tokens and carries over to whatever parameter set and
 *       optimizer online learning then uses (the paper, too, meta-trains with SGD and adapts with Adam).
 *   <li>{@link #adapter}: the tenant adapter online learning will update. Exact for that setting, but a fresh
 *       LoRA adapter (B = 0) has zero gradient in A, so one inner step only moves B and the meta-signal is weak;
 *       a dense delta adapter does not have this problem.
 * </ul>
 * Gradients flow through {@link Gpt2Forward} for GPT-2 family models (safe to backpropagate after a GC in DJL
 * 0.35.1); other families use the core's forward, and a LoRA adapter's {@code α/r} scale is still applied with
 * DJL's unsafe scalar multiply, so prefer a delta adapter for {@link #adapter} until the core is fixed.
 * Forward passes may be given float64 copies of θ (the meta-gradient's finite differences use them); the frozen
 * base weights are then read from a float64 copy made once, since a projection cannot mix dtypes.
 */
public final class InnerParameters implements AutoCloseable {

    private final LanguageModel model;
    private final Adapter adapter; // null: θ is every base weight
    private final Map<String, NDArray> values;
    private final String description;
    private final Gpt2Forward forward; // null: not GPT-2, use the core's forward
    private NDManager float64Manager;
    private ParameterSource float64Base;

    private InnerParameters(LanguageModel model, Adapter adapter, Map<String, NDArray> values, String description) {
        this.model = model;
        this.adapter = adapter;
        this.values = values;
        this.description = description;
        this.forward = Gpt2Forward.forBase(model);
    }

    /** θ = every weight of the base model (read, never written: meta-training only perturbs copies). */
    public static InnerParameters allBaseWeights(LanguageModel model) {
        return new InnerParameters(model, null, model.weights().all(), "all " + model.weights().parameterCount() + " base weights");
    }

    /** θ = the tensors of {@code adapter} on top of the frozen base. */
    public static InnerParameters adapter(LanguageModel model, Adapter adapter) {
        return new InnerParameters(model, adapter, adapter.tensors(),
                adapter.manifest().spec().kind() + " adapter (" + adapter.parameterCount() + " values)");
    }

    /** θ by name (the stored arrays; callers copy before changing anything). */
    public Map<String, NDArray> values() {
        return values;
    }

    public LanguageModel model() {
        return model;
    }

    /** What θ is, for progress output. */
    public String description() {
        return description;
    }

    /**
     * Logits under parameters {@code params} (same names and shapes as {@link #values()}, float32 or float64).
     *
     * @param ids [B, T] int64
     * @return [B, T, V] in the dtype of {@code params}
     */
    public NDArray logits(Map<String, NDArray> params, NDArray ids) {
        boolean float64 = params.values().iterator().next().getDataType() == DataType.FLOAT64;
        ParameterSource source = adapter == null ? model.weights().overlay(params) : float64 ? float64Base() : model.weights();
        Adaptation adaptation = adapter == null ? Adaptation.NONE : adapter.over(params);
        return forward != null ? forward.logits(source, adaptation, ids) : model.logits(source, adaptation, ids);
    }

    private ParameterSource float64Base() {
        if (float64Base == null) {
            float64Manager = model.manager().newSubManager();
            Map<String, NDArray> copy = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : model.weights().all().entrySet()) {
                NDArray d = e.getValue().toType(DataType.FLOAT64, true);
                NDScope.unregister(d); // kept across steps, freed with this object
                d.attach(float64Manager);
                copy.put(e.getKey(), d);
            }
            float64Base = copy::get;
        }
        return float64Base;
    }

    @Override
    public void close() {
        if (float64Manager != null) {
            float64Manager.close();
        }
    }
}
