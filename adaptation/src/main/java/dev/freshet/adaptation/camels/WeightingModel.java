package dev.freshet.adaptation.camels;

import dev.freshet.adaptation.model.Ops;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.checkpoint.Tensor;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.Architecture;
import dev.freshet.adaptation.model.Devices;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.model.ParamSpec;
import dev.freshet.adaptation.model.Weights;
import dev.freshet.adaptation.tokenizer.BpeTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The CaMeLS weighting model {@code f_φ} (Hu et al., arXiv 2305.15076 §3): a causal GPT-2 backbone that reads the
 * document with the base model's tokenizer, then a head {@code Linear(C→128) → GELU → Linear(128→1) →
 * Softplus(β=3)} that gives every token a positive weight.
 *
 * <p>Shapes: B documents, T tokens, C backbone channels, K = {@value #HEAD_WIDTH} head width. The last linear
 * layer starts at zero, so a new model weights every token {@code softplus_3(0) = ln 2 / 3 ≈ 0.2310}, as in the
 * reference code; weights are not normalised per document unless the model is {@link #normalized()}. The output
 * at position {@code t} has seen tokens {@code 0..t} and scales the loss of predicting token {@code t}.
 *
 * <p>A <b>normalised</b> model (an option of meta-training, recorded in its files) divides a document's weights
 * by their mean over the predicted tokens, so they average 1: only their distribution over the document is
 * learned, not their scale. The reason: meta-training's inner step is SGD, under which a larger scale is a larger
 * step and lowers the outer loss by itself, while the test-time step is Adam, under which the scale cancels.
 *
 * <p>The backbone is either initialised from the seed ({@link #initialize}) or copied from the first layers of a
 * GPT-2 family base model ({@link #fromBase}), the analogue of the reference's pretrained distilgpt2. Its weights
 * keep Hugging Face names; the head's are {@code head.fc.*} and {@code head.out.*} in nn.Linear layout. Files:
 * {@link WeightingModelFiles}. The parameter arrays are live: meta-training updates them in place.
 */
public final class WeightingModel implements TokenWeighting, AutoCloseable {

    /** K, the width of the head's hidden layer. */
    public static final int HEAD_WIDTH = 128;
    /** β of the final softplus, {@code softplus_β(x) = ln(1 + e^{βx}) / β}. */
    public static final float BETA = 3f;
    /** The weight every token gets before meta-training: {@code ln 2 / β}. */
    public static final double INITIAL_WEIGHT = Math.log(2) / BETA;

    private final ModelConfig config;
    private final BpeTokenizer tokenizer;
    private final NDManager manager;
    private final Map<String, ParamSpec> specs = new LinkedHashMap<>();
    private final Gpt2Forward backbone;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private boolean normalized;

    private WeightingModel(ModelConfig config, BpeTokenizer tokenizer, NDManager manager) {
        if (config.family() != ModelConfig.Family.GPT2) {
            throw new IllegalArgumentException("the CaMeLS weighting backbone is GPT-2 family, got " + config.family());
        }
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " ids but the backbone only " + config.vocabSize());
        }
        this.config = config;
        this.tokenizer = tokenizer;
        this.manager = manager;
        List<ParamSpec> backboneSpecs = Architecture.of(config, manager).parameters();
        for (ParamSpec p : backboneSpecs) {
            specs.put(p.name(), p);
        }
        this.backbone = new Gpt2Forward(config, backboneSpecs);
        long c = config.hidden();
        specs.put("head.fc.weight", new ParamSpec("head.fc.weight", new long[] {HEAD_WIDTH, c}, ParamSpec.Role.PROJECTION_OUT_IN));
        specs.put("head.fc.bias", new ParamSpec("head.fc.bias", new long[] {HEAD_WIDTH}, ParamSpec.Role.BIAS));
        specs.put("head.out.weight", new ParamSpec("head.out.weight", new long[] {1, HEAD_WIDTH}, ParamSpec.Role.PROJECTION_OUT_IN));
        specs.put("head.out.bias", new ParamSpec("head.out.bias", new long[] {1}, ParamSpec.Role.BIAS));
    }

    /** A backbone initialised from the seed (GPT-2 scheme) and a fresh head. */
    public static WeightingModel initialize(BpeTokenizer tokenizer, ModelConfig backbone, long seed, Device device) {
        WeightingModel w = new WeightingModel(backbone, tokenizer, Devices.engine().newBaseManager(device));
        Weights init = Weights.initialize(Architecture.of(backbone, w.manager), seed, w.manager);
        w.params.putAll(init.all());
        w.initializeHead(seed);
        return w;
    }

    /**
     * A backbone copied from the embeddings, the first {@code layers} blocks and the final norm of a GPT-2 family
     * base model, and a fresh head: a pretrained start that shares the base's tokenizer by construction.
     */
    public static WeightingModel fromBase(LanguageModel base, int layers, long seed) {
        ModelConfig b = base.config();
        if (layers < 1 || layers > b.layers()) {
            throw new IllegalArgumentException("weighting backbone layers must be in 1.." + b.layers() + ", got " + layers);
        }
        ModelConfig cfg = new ModelConfig(b.family(), b.vocabSize(), b.hidden(), layers, b.heads(), b.kvHeads(), b.intermediate(),
                b.maxPositions(), b.normEps(), b.ropeTheta(), b.tieEmbeddings(), b.attentionBias(), b.activation(), b.bosTokenId(),
                b.eosTokenId(), b.modelType());
        WeightingModel w = new WeightingModel(cfg, base.tokenizer(), Devices.engine().newBaseManager(base.manager().getDevice()));
        for (ParamSpec p : w.specs.values()) {
            if (!p.name().startsWith("head.")) {
                w.params.put(p.name(), w.manager.create(base.weights().get(p.name()).toFloatArray(), new Shape(p.shape())));
            }
        }
        w.initializeHead(seed);
        return w;
    }

    /** fc: nn.Linear's default U(±1/√C); out: zero, so every weight starts at ln 2 / β. */
    private void initializeHead(long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5eedcafeL);
        double bound = 1.0 / Math.sqrt(config.hidden());
        float[] fc = new float[HEAD_WIDTH * config.hidden()];
        for (int i = 0; i < fc.length; i++) {
            fc[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        float[] fcBias = new float[HEAD_WIDTH];
        for (int i = 0; i < fcBias.length; i++) {
            fcBias[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        params.put("head.fc.weight", manager.create(fc, new Shape(HEAD_WIDTH, config.hidden())));
        params.put("head.fc.bias", manager.create(fcBias, new Shape(HEAD_WIDTH)));
        params.put("head.out.weight", manager.zeros(new Shape(1, HEAD_WIDTH)));
        params.put("head.out.bias", manager.zeros(new Shape(1)));
    }

    @Override
    public String name() {
        return "camels";
    }

    /**
     * Token weights {@code w = softplus_β(head(backbone(ids)))} computed from the given parameters (the stored
     * ones, gradient-tracking leaves, or float64 copies), in the caller's scope.
     *
     * @param phi parameters by name, shaped as {@link #parameters()}
     * @param ids [B, T] int64, right-padded (causal: padding never changes earlier positions)
     * @return [B, T]
     */
    public NDArray tokenWeights(Map<String, NDArray> phi, NDArray ids) {
        NDArray h = backbone.hidden(phi::get, Adaptation.NONE, ids); // [B, T, C]
        NDArray k = Activation.gelu(Linear.linear(h, phi.get("head.fc.weight"), phi.get("head.fc.bias")).singletonOrThrow()); // [B, T, K]
        NDArray z = Linear.linear(k, phi.get("head.out.weight"), phi.get("head.out.bias")).singletonOrThrow().squeeze(-1); // [B, T]
        // softplus_β(z) = ln(1 + e^{βz}) / β; β as a tensor constant (see Gpt2Forward on DJL's scalar ops)
        return Activation.softPlus(z.mul(Ops.constant(z, BETA))).mul(Ops.constant(z, 1.0 / BETA));
    }

    @Override
    public float[] weights(DocumentTokens doc) {
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray ids = m.create(LanguageModel.toLongs(doc.ids()), new Shape(1, doc.length()));
            NDArray w = tokenWeights(params, ids); // [1, T]
            if (normalized && doc.length() > 1) {
                // Entry 0 scales no loss term (see DocumentTokens), so the mean is over entries 1..T-1.
                float[] predicted = new float[doc.length()];
                Arrays.fill(predicted, 1, predicted.length, 1f);
                w = normalise(w, m.create(predicted, w.getShape()));
            }
            return w.toFloatArray();
        }
    }

    /**
     * {@code w_dt · M_dt / mean_t(w_d over M_d)}: each row's weights over the positions its mask marks averaged to 1,
     * 0 elsewhere. The one normalisation of a normalised model, at test time and inside meta-training's graph.
     *
     * @param w [D, T] weights
     * @param mask [D, T] 1 at the positions that count, 0 elsewhere, same type as {@code w}
     */
    public static NDArray normalise(NDArray w, NDArray mask) {
        NDArray masked = w.mul(mask); // [D, T]
        NDArray mean = masked.sum(new int[] {1}, true).div(mask.sum(new int[] {1}, true)); // [D, 1]
        return masked.div(mean);
    }

    /** Whether a document's weights are divided by their mean (see the class comment). */
    public boolean normalized() {
        return normalized;
    }

    /** Sets {@link #normalized()}; returns this model. */
    public WeightingModel normalized(boolean on) {
        this.normalized = on;
        return this;
    }

    @Override
    public int maxTokens() {
        return config.maxPositions();
    }

    /** The backbone's shape. */
    public ModelConfig config() {
        return config;
    }

    public BpeTokenizer tokenizer() {
        return tokenizer;
    }

    public NDManager manager() {
        return manager;
    }

    /** φ by name (live arrays: meta-training updates them in place). */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /** Every parameter's name, shape and role, backbone first, then the head. */
    public List<ParamSpec> specs() {
        return List.copyOf(specs.values());
    }

    /** Number of values in φ. */
    public long parameterCount() {
        return params.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /** Writes {@code dir/weighting.safetensors} (in {@code dtype}) and {@code dir/weighting.json}; see {@link WeightingModelFiles}. */
    public void save(Path dir, DType dtype) throws IOException {
        WeightingModelFiles.save(this, dir, dtype);
    }

    /**
     * Loads a saved weighting model for a base model's tokenizer.
     *
     * @throws IOException if it was trained for another tokenizer, or a tensor is missing or mis-shaped
     */
    public static WeightingModel load(Path dir, BpeTokenizer tokenizer, Device device) throws IOException {
        return WeightingModelFiles.load(dir, tokenizer, device);
    }

    /**
     * Overwrites φ in place with checkpoint tensors of the same names and shapes.
     *
     * @throws IllegalArgumentException naming the tensor when one is missing, extra or mis-shaped
     */
    void assign(Map<String, Tensor> tensors) {
        for (ParamSpec p : specs.values()) {
            Tensor t = tensors.get(p.name());
            if (t == null) {
                throw new IllegalArgumentException("weighting checkpoint lacks tensor " + p.name() + " " + Arrays.toString(p.shape()));
            }
            if (!Arrays.equals(t.shape(), p.shape())) {
                throw new IllegalArgumentException("weighting tensor " + p.name() + " has shape " + Arrays.toString(t.shape())
                        + " but the config implies " + Arrays.toString(p.shape()));
            }
        }
        if (!specs.keySet().containsAll(tensors.keySet())) {
            throw new IllegalArgumentException("weighting checkpoint has tensors this model does not use: "
                    + tensors.keySet().stream().filter(n -> !specs.containsKey(n)).toList());
        }
        for (ParamSpec p : specs.values()) {
            params.get(p.name()).set(tensors.get(p.name()).toFloats());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
