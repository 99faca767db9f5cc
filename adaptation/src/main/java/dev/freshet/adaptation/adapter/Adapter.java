package dev.freshet.adaptation.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.checkpoint.SafeTensors;
import dev.freshet.adaptation.checkpoint.Tensor;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ParameterSource;
import dev.freshet.adaptation.model.Ops;
import dev.freshet.adaptation.model.ParamSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Small trainable weights applied on top of a frozen base model: LoRA factors or localized dense deltas.
 *
 * <p>Tensors (shapes: r rank, in/out the projection's widths):
 * <ul>
 *   <li>LoRA: {@code <module>.lora_A.weight} [r, in], {@code <module>.lora_B.weight} [out, r]; extra output
 *       {@code (x Aᵀ) Bᵀ · α/r};
 *   <li>delta: {@code <module>.delta} shaped like the base weight ([in, out] for GPT-2 Conv1D, [out, in]
 *       for nn.Linear); extra output {@code x ΔW} in the base weight's orientation.
 * </ul>
 * A LoRA adapter may carry dense deltas at a few of its modules ({@link AdapterSpec.Lora#dense}): each module
 * holds one form or the other.
 * The adapter owns one NDManager, closed when the version retires. A saved adapter is a folder with
 * {@code adapter.safetensors} and {@code manifest.json}, both fsynced before the folder is renamed into
 * place, so a reader never sees half an adapter.
 */
public final class Adapter implements AutoCloseable {

    private final AdapterManifest manifest;
    private final Map<String, ParamSpec> modules; // module name → projection weight spec
    private final NDManager manager;
    private final Map<String, NDArray> tensors;
    private final Adaptation applied; // over(tensors), made once: see adaptation()

    private Adapter(AdapterManifest manifest, Map<String, ParamSpec> modules, NDManager manager, Map<String, NDArray> tensors) {
        this.manifest = manifest;
        this.modules = modules;
        this.manager = manager;
        this.tensors = tensors;
        this.applied = over(tensors);
    }

    /** A new adapter that starts as the base model (B = 0, or Δ = 0). */
    public static Adapter create(LanguageModel base, AdapterSpec spec, String method, long seed) {
        Map<String, ParamSpec> modules = targetedModules(base, spec);
        NDManager m = base.manager().newSubManager();
        Map<String, NDArray> t = new LinkedHashMap<>();
        SplittableRandom rng = new SplittableRandom(seed);
        for (ParamSpec p : modules.values()) {
            if (spec instanceof AdapterSpec.Lora lora && !lora.isDense(p)) {
                // Kaiming-uniform-like A with bound 1/√in, as PEFT does; B zero so ΔW = 0.
                float[] a = new float[(int) (lora.rank() * p.inFeatures())];
                double bound = 1.0 / Math.sqrt(p.inFeatures());
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                }
                t.put(p.module() + ".lora_A.weight", m.create(a, new Shape(lora.rank(), p.inFeatures())));
                t.put(p.module() + ".lora_B.weight", m.zeros(new Shape(p.outFeatures(), lora.rank())));
            } else {
                t.put(p.module() + ".delta", m.zeros(new Shape(p.shape())));
            }
        }
        AdapterManifest manifest = new AdapterManifest(base.id(), base.hash(), method, spec, 0, 0, System.currentTimeMillis(), Map.of(), null);
        return new Adapter(manifest, modules, m, t);
    }

    private static Map<String, ParamSpec> targetedModules(LanguageModel base, AdapterSpec spec) {
        Map<String, ParamSpec> modules = new LinkedHashMap<>();
        for (ParamSpec p : base.architecture().parameters()) {
            if (p.isProjection() && spec.targets(p)) {
                modules.put(p.module(), p);
            }
        }
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("adapter targets " + spec.targets() + " match no projection of " + base.id()
                    + " (e.g. " + base.architecture().parameters().stream().filter(ParamSpec::isProjection).limit(4).map(ParamSpec::module).toList() + ")");
        }
        if (spec instanceof AdapterSpec.Lora lora) {
            for (String d : lora.dense()) {
                if (modules.keySet().stream().noneMatch(m -> AdapterSpec.matches(List.of(d), m))) {
                    throw new IllegalArgumentException("adapter dense module " + d + " is not one of its targeted modules " + modules.keySet());
                }
            }
        }
        return modules;
    }

    public AdapterManifest manifest() {
        return manifest;
    }

    /** The stored tensors by name (live: training updates them in place). */
    public Map<String, NDArray> tensors() {
        return tensors;
    }

    public NDManager manager() {
        return manager;
    }

    /**
     * This adapter as applied to a forward pass: the same object on every call, so whoever sees it twice
     * (the quality gate, then the registry serving it) can tell it is the same adapter.
     */
    public Adaptation adaptation() {
        return applied;
    }

    /**
     * The same adapter computed from other tensors of the same names and shapes: gradient-tracking
     * leaves during a training step, or the slow copy under momentum interpolation.
     */
    public Adaptation over(Map<String, NDArray> t) {
        float scale = manifest.spec() instanceof AdapterSpec.Lora lora ? lora.scale() : 1f;
        return (module, x) -> {
            ParamSpec p = modules.get(module);
            if (p == null) {
                return null;
            }
            if (t.containsKey(module + ".lora_A.weight")) {
                NDArray h = Linear.linear(x, t.get(module + ".lora_A.weight")).singletonOrThrow(); // [B, T, r]
                NDArray out = Linear.linear(h, t.get(module + ".lora_B.weight")).singletonOrThrow(); // [B, T, out]
                return out.mul(Ops.constant(out, scale));
            }
            NDArray d = t.get(module + ".delta");
            return p.role() == ParamSpec.Role.PROJECTION_IN_OUT ? x.matMul(d) : Linear.linear(x, d).singletonOrThrow();
        };
    }

    /**
     * The adapter fused into the base: {@code W + ΔW} for every adapted projection, in a manager of its own,
     * read through a source that answers every other name from the base weights. Serving a tenant that
     * takes most of the traffic from the fused form skips the adapter's extra matmuls on every projection
     * of every decoding step; it costs one copy of the adapted matrices. The caller closes it.
     */
    public Fused fuse(LanguageModel base) {
        NDManager m = manager.getParentManager().newSubManager();
        try {
            Map<String, NDArray> merged = new LinkedHashMap<>();
            try (NDScope scope = new NDScope()) { // frees the intermediates (B·A, its transpose) at once
                mergedWeights(base).forEach((name, w) -> {
                    NDScope.unregister(w);
                    w.attach(m); // owned by the fused form from here on
                    merged.put(name, w);
                });
            }
            return new Fused(m, base.weights().overlay(merged));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A fused adapter: the parameters to serve from (with {@link Adaptation#NONE}) and the memory behind them. */
    public record Fused(NDManager manager, ParameterSource parameters) implements AutoCloseable {
        @Override
        public void close() {
            manager.close();
        }
    }

    /** The naive reference: base weights with the adapter merged in, W + ΔW; the caller closes the arrays. */
    public Map<String, NDArray> mergedWeights(LanguageModel base) {
        Map<String, NDArray> merged = new LinkedHashMap<>();
        for (ParamSpec p : modules.values()) {
            NDArray w = base.weights().get(p.name());
            NDArray delta;
            if (manifest.spec() instanceof AdapterSpec.Lora lora && !lora.isDense(p)) {
                NDArray ba = tensors.get(p.module() + ".lora_B.weight").matMul(tensors.get(p.module() + ".lora_A.weight")).mul(lora.scale()); // [out, in]
                delta = p.role() == ParamSpec.Role.PROJECTION_IN_OUT ? ba.transpose() : ba;
            } else {
                delta = tensors.get(p.module() + ".delta");
            }
            merged.put(p.name(), w.add(delta));
        }
        return merged;
    }

    /** A deep copy with another manifest (e.g. the next version, or an MWI slow copy). */
    public Adapter copy(AdapterManifest newManifest) {
        NDManager m = manager.getParentManager().newSubManager();
        Map<String, NDArray> t = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray c = e.getValue().duplicate();
            NDScope.unregister(c);
            c.attach(m);
            t.put(e.getKey(), c);
        }
        return new Adapter(newManifest, modules, m, t);
    }

    /** Number of trainable values. */
    public long parameterCount() {
        return tensors.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /** Writes {@code dir/adapter.safetensors} and {@code dir/manifest.json} atomically and durably. */
    public void save(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".tmp");
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            out.put(e.getKey(), Tensor.ofFloats(DType.F32, e.getValue().getShape().getShape(), e.getValue().toFloatArray()));
        }
        SafeTensors.write(tmp.resolve("adapter.safetensors"), out, Map.of("format", "freshet-adapter/1"));
        Path mf = tmp.resolve("manifest.json");
        Files.writeString(mf, manifest.toJson(), StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(mf, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel ch = FileChannel.open(parent, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot fsync a directory; the rename is still atomic there.
        }
    }

    /**
     * Loads a saved adapter for {@code base}.
     *
     * @throws IOException if it was trained on another base model or its tensors do not fit this one
     */
    public static Adapter load(Path dir, LanguageModel base) throws IOException {
        AdapterManifest manifest = AdapterManifest.fromJson(Files.readString(dir.resolve("manifest.json")));
        if (!manifest.baseModelHash().equals(base.hash())) {
            throw new IOException("adapter " + dir + " was trained on base " + manifest.baseModelId() + " (" + manifest.baseModelHash()
                    + "), not on " + base.id() + " (" + base.hash() + ")");
        }
        Map<String, Tensor> stored = SafeTensors.read(dir.resolve("adapter.safetensors")).tensors();
        Adapter fresh = create(base, manifest.spec(), manifest.method(), 0);
        try {
            if (!fresh.tensors.keySet().equals(stored.keySet())) {
                throw new IOException("adapter " + dir + " has tensors " + stored.keySet() + ", expected " + fresh.tensors.keySet());
            }
            Map<String, NDArray> t = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : fresh.tensors.entrySet()) {
                Tensor s = stored.get(e.getKey());
                if (!Arrays.equals(s.shape(), e.getValue().getShape().getShape())) {
                    throw new IOException("adapter tensor " + e.getKey() + " has shape " + Arrays.toString(s.shape()) + ", expected " + e.getValue().getShape());
                }
                t.put(e.getKey(), fresh.manager.create(s.toFloats(), new Shape(s.shape())));
                e.getValue().close();
            }
            return new Adapter(manifest, fresh.modules, fresh.manager, t);
        } catch (IOException | RuntimeException e) {
            fresh.close();
            throw e;
        }
    }

    /** The module names an adapter of {@code spec} on {@code base} would touch, without making one. */
    public static List<String> modulesOf(LanguageModel base, AdapterSpec spec) {
        return List.copyOf(targetedModules(base, spec).keySet());
    }

    /** Module names this adapter touches. */
    public List<String> modules() {
        return List.copyOf(modules.keySet());
    }

    @Override
    public void close() {
        manager.close();
    }
}
