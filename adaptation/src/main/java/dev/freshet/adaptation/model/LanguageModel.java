package dev.freshet.adaptation.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.checkpoint.SafeTensors;
import dev.freshet.adaptation.tokenizer.BpeTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A causal language model ready to serve: tokenizer, architecture and frozen base weights.
 *
 * <p>A checkpoint directory in Hugging Face layout ({@code config.json}, {@code model.safetensors},
 * {@code tokenizer.json}) loads unchanged. Every call takes an {@link Adaptation}: the tenant's adapter is
 * applied on top of the shared weights per request, never merged into them, so any number of adapters
 * can be resident and served side by side. Each call runs in its own {@link NDScope}; nothing it allocates
 * outlives it.
 */
public final class LanguageModel implements AutoCloseable {

    /** Classpath folder of the bundled default model (see README, "Default model"). */
    public static final String DEFAULT_RESOURCE = "/dev/freshet/adaptation/default-model/";

    private static final int SCORE_CHUNK = 16;

    private final String id;
    private final String hash;
    private final NDManager manager;
    private final Architecture arch;
    private final Weights weights;
    private final BpeTokenizer tokenizer;

    private LanguageModel(String id, String hash, NDManager manager, Architecture arch, Weights weights, BpeTokenizer tokenizer) {
        this.id = id;
        this.hash = hash;
        this.manager = manager;
        this.arch = arch;
        this.weights = weights;
        this.tokenizer = tokenizer;
    }

    /** Loads a Hugging Face style checkpoint directory. */
    public static LanguageModel load(Path dir, Device device) throws IOException {
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IOException("model directory " + dir + " lacks " + f);
            }
        }
        ModelConfig cfg = ModelConfig.fromJson(Files.readString(dir.resolve("config.json")));
        BpeTokenizer tok = BpeTokenizer.load(dir.resolve("tokenizer.json"));
        byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
        return assemble(dir.getFileName().toString(), cfg, tok, bytes, device);
    }

    /** Loads the small model bundled in the jar. */
    public static LanguageModel loadDefault(Device device) throws IOException {
        ModelConfig cfg = ModelConfig.fromJson(new String(resource("config.json"), StandardCharsets.UTF_8));
        BpeTokenizer tok = BpeTokenizer.fromJson(new String(resource("tokenizer.json"), StandardCharsets.UTF_8));
        return assemble("freshet-default", cfg, tok, resource("model.safetensors"), device);
    }

    /** True when the jar carries a default model (it does once {@code pretrain} has been run and committed). */
    public static boolean hasDefault() {
        return LanguageModel.class.getResource(DEFAULT_RESOURCE + "model.safetensors") != null;
    }

    /**
     * True when these are the bundled default model's weights (same file hash), whoever loaded them: the synthetic
     * world of seed 1234 is then this model's old world, which the server's default probes and preserved texts read.
     */
    public boolean isBundledDefault() throws IOException {
        return hasDefault() && hash.equals(defaultHash());
    }

    private static volatile String defaultHash; // the bundled weights never change within a run: hashed once

    private static String defaultHash() throws IOException {
        String h = defaultHash;
        if (h == null) {
            h = sha256(resource("model.safetensors"));
            defaultHash = h;
        }
        return h;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = LanguageModel.class.getResourceAsStream(DEFAULT_RESOURCE + name)) {
            if (in == null) {
                throw new IOException("the bundled default model is missing " + name + " (run bin/freshet pretrain)");
            }
            return in.readAllBytes();
        }
    }

    private static LanguageModel assemble(String id, ModelConfig cfg, BpeTokenizer tok, byte[] safetensors, Device device) throws IOException {
        NDManager m = Devices.engine().newBaseManager(device);
        try {
            Architecture arch = Architecture.of(cfg, m);
            Weights w = Weights.load(arch, SafeTensors.read(safetensors).tensors(), m);
            return new LanguageModel(id, sha256(safetensors), m, arch, w, tok);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A freshly initialised model (for pretraining and tests), deterministic in the seed. */
    public static LanguageModel initialize(String id, ModelConfig cfg, BpeTokenizer tok, long seed, Device device) {
        NDManager m = Devices.engine().newBaseManager(device);
        Architecture arch = Architecture.of(cfg, m);
        return new LanguageModel(id, "init-" + seed, m, arch, Weights.initialize(arch, seed, m), tok);
    }

    /** Writes config.json, model.safetensors (in {@code dtype}) and tokenizer.json; returns the weights' hash. */
    public String save(Path dir, DType dtype) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), arch.config().toJson());
        tokenizer.save(dir.resolve("tokenizer.json"));
        Path st = dir.resolve("model.safetensors");
        SafeTensors.write(st, weights.toTensors(arch.parameters(), dtype), Map.of("format", "pt"));
        return sha256(Files.readAllBytes(st));
    }

    public String id() {
        return id;
    }

    /** SHA-256 of the weights file: what adapters record as their base. */
    public String hash() {
        return hash;
    }

    public ModelConfig config() {
        return arch.config();
    }

    public Architecture architecture() {
        return arch;
    }

    public Weights weights() {
        return weights;
    }

    public BpeTokenizer tokenizer() {
        return tokenizer;
    }

    public NDManager manager() {
        return manager;
    }

    /** The id every sequence starts with: BOS, or EOS for GPT-2-style models that have no BOS. */
    public int startToken() {
        return arch.config().bosTokenId() >= 0 ? arch.config().bosTokenId() : arch.config().eosTokenId();
    }

    /** Token ids of {@code text} preceded by the start token. */
    public int[] encodeWithStart(String text) {
        int[] body = tokenizer.encode(text);
        int start = startToken();
        if (start < 0) {
            return body;
        }
        int[] out = new int[body.length + 1];
        out[0] = start;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /**
     * Logits for a batch of equal-length sequences, in the caller's scope.
     *
     * @param ids [B, T] int64
     * @return [B, T, V]
     */
    public NDArray logits(ParameterSource params, Adaptation adaptation, NDArray ids) {
        return arch.logits(params, adaptation, ids, null);
    }

    /**
     * Generates a continuation of {@code prompt}.
     *
     * @param onText receives the text as it grows (deltas that never split a code point or a stop string)
     */
    public Generation generate(String prompt, SamplingOptions opts, Adaptation adaptation, Consumer<String> onText) {
        return generate(prompt, opts, weights, adaptation, onText);
    }

    /**
     * Generates from other parameters than the base weights: a fused adapter ({@code W + ΔW} for the adapted
     * projections, the base elsewhere) with {@link Adaptation#NONE}.
     */
    public Generation generate(String prompt, SamplingOptions opts, ParameterSource params, Adaptation adaptation, Consumer<String> onText) {
        int max = arch.config().maxPositions();
        int[] ids = encodeWithStart(prompt);
        int keep = Math.max(1, Math.min(ids.length, max - Math.max(1, opts.maxTokens())));
        int[] context = Arrays.copyOfRange(ids, ids.length - keep, ids.length);
        Sampler sampler = new Sampler(opts);
        List<Integer> out = new ArrayList<>();
        List<Float> logprobs = new ArrayList<>();
        String finish = "length";
        String text = "";
        int emitted = 0;
        try (NDManager m = manager.newSubManager(); KvCache cache = opts.useKvCache() ? new KvCache(m, arch.config().layers()) : null) {
            float[] last = lastLogits(m, context, cache, params, adaptation);
            for (int i = 0; i < opts.maxTokens(); i++) {
                int next = sampler.next(last);
                if (next == arch.config().eosTokenId()) {
                    finish = "stop";
                    break;
                }
                out.add(next);
                logprobs.add(logSoftmaxAt(last, next));
                text = tokenizer.decode(out.stream().mapToInt(Integer::intValue).toArray());
                int stopAt = firstStop(text, opts.stop());
                if (stopAt >= 0) {
                    text = text.substring(0, stopAt);
                    finish = "stop";
                    break;
                }
                int safe = safeLength(text, opts.stop());
                if (onText != null && safe > emitted) {
                    onText.accept(text.substring(emitted, safe));
                    emitted = safe;
                }
                if (i + 1 == opts.maxTokens() || context.length + out.size() >= max) {
                    break;
                }
                if (cache != null) {
                    last = lastLogits(m, new int[] {next}, cache, params, adaptation);
                } else {
                    int[] all = Arrays.copyOf(context, context.length + out.size());
                    for (int j = 0; j < out.size(); j++) {
                        all[context.length + j] = out.get(j);
                    }
                    last = lastLogits(m, all, null, params, adaptation);
                }
            }
        }
        if (onText != null && text.length() > emitted) {
            onText.accept(text.substring(emitted));
        }
        float[] lp = new float[logprobs.size()];
        for (int i = 0; i < lp.length; i++) {
            lp[i] = logprobs.get(i);
        }
        return new Generation(text, out.stream().mapToInt(Integer::intValue).toArray(), lp, context.length, finish);
    }

    private float[] lastLogits(NDManager m, int[] ids, KvCache cache, ParameterSource params, Adaptation adaptation) {
        try (NDScope scope = new NDScope()) {
            NDArray x = m.create(toLongs(ids), new Shape(1, ids.length));
            NDArray logits = arch.logits(params, adaptation, x, cache); // [1, T, V]
            return logits.get(0, ids.length - 1).toFloatArray();
        }
    }

    /** Log-probability of {@code continuation} after {@code prompt}, in total and per token. */
    public Score score(String prompt, String continuation, Adaptation adaptation) {
        return score(prompt, continuation, weights, adaptation);
    }

    /** {@link #score(String, String, Adaptation)} from other parameters, e.g. a fused adapter. */
    public Score score(String prompt, String continuation, ParameterSource params, Adaptation adaptation) {
        return scoreBatch(java.util.Collections.singletonList(new String[] {prompt, continuation}), params, adaptation).get(0);
    }

    /**
     * Scores many (prompt, continuation) pairs, batched by right-padding: under a causal mask the padding
     * after a sequence cannot change the positions before it.
     */
    public List<Score> scoreBatch(List<String[]> pairs, Adaptation adaptation) {
        return scoreBatch(pairs, weights, adaptation);
    }

    /** {@link #scoreBatch(List, Adaptation)} from other parameters, e.g. a fused adapter. */
    public List<Score> scoreBatch(List<String[]> pairs, ParameterSource params, Adaptation adaptation) {
        List<Score> out = new ArrayList<>();
        for (int from = 0; from < pairs.size(); from += SCORE_CHUNK) {
            out.addAll(scoreChunk(pairs.subList(from, Math.min(pairs.size(), from + SCORE_CHUNK)), params, adaptation));
        }
        return out;
    }

    private List<Score> scoreChunk(List<String[]> pairs, ParameterSource params, Adaptation adaptation) {
        int max = arch.config().maxPositions();
        int b = pairs.size();
        int[][] seqs = new int[b][];
        int[] contLen = new int[b];
        for (int i = 0; i < b; i++) {
            int[] p = encodeWithStart(pairs.get(i)[0]);
            int[] c = tokenizer.encode(pairs.get(i)[1]);
            if (c.length >= max) {
                throw new IllegalArgumentException("continuation of " + c.length + " tokens does not fit the model's " + max + " positions");
            }
            int[] full = new int[p.length + c.length];
            System.arraycopy(p, 0, full, 0, p.length);
            System.arraycopy(c, 0, full, p.length, c.length);
            // Keep the end: the continuation and as much of the prompt as fits (+1 for the shifted target).
            seqs[i] = full.length > max + 1 ? Arrays.copyOfRange(full, full.length - max - 1, full.length) : full;
            contLen[i] = Math.min(c.length, seqs[i].length - 1);
        }
        int t = Arrays.stream(seqs).mapToInt(s -> s.length - 1).max().orElse(0);
        List<Score> out = new ArrayList<>();
        if (t <= 0) {
            for (int i = 0; i < b; i++) {
                out.add(new Score(0, new float[0], new String[0]));
            }
            return out;
        }
        long[] in = new long[b * t];
        long[] tg = new long[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < seqs[i].length - 1; j++) {
                in[i * t + j] = seqs[i][j];
                tg[i * t + j] = seqs[i][j + 1];
            }
        }
        float[] picked;
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray ids = m.create(in, new Shape(b, t));
            NDArray targets = m.create(tg, new Shape(b, t, 1));
            NDArray logp = arch.logits(params, adaptation, ids, null).logSoftmax(-1); // [B, T, V]
            picked = logp.gather(targets, -1).toFloatArray(); // [B, T, 1]
        }
        for (int i = 0; i < b; i++) {
            int n = contLen[i];
            int last = seqs[i].length - 2; // index of the prediction of the final token
            float[] lp = new float[n];
            String[] toks = new String[n];
            double total = 0;
            for (int j = 0; j < n; j++) {
                int pos = last - n + 1 + j;
                lp[j] = picked[i * t + pos];
                total += lp[j];
                toks[j] = tokenizer.decode(new int[] {seqs[i][pos + 1]});
            }
            out.add(new Score(total, lp, toks));
        }
        return out;
    }

    /** int ids as the int64 an NDArray of token ids needs. */
    public static long[] toLongs(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return l;
    }

    private static float logSoftmaxAt(float[] logits, int index) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return (float) (logits[index] - max - Math.log(sum));
    }

    private static int firstStop(String text, List<String> stops) {
        int at = -1;
        for (String s : stops) {
            int i = s.isEmpty() ? -1 : text.indexOf(s);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
            }
        }
        return at;
    }

    /** How much of {@code text} can be shown: not a trailing partial code point, not a possible stop prefix. */
    private static int safeLength(String text, List<String> stops) {
        int n = text.length();
        while (n > 0 && text.charAt(n - 1) == '\uFFFD') {
            n--;
        }
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, n); k > 0; k--) {
                if (text.startsWith(s.substring(0, k), n - k)) {
                    n -= k;
                    break;
                }
            }
        }
        return Math.max(n, 0);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
