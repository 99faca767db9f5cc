package dev.freshet.adaptation.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig.Family;
import dev.freshet.adaptation.model.TinyModels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Adapters on top of frozen weights, against the naive reference of merging them into the weights. */
class AdapterTest {

    static LanguageModel tiny(Family f) {
        return f == Family.GPT2 ? TinyModels.gpt2(5) : TinyModels.llama(5);
    }

    static AdapterSpec lora(Family f) {
        return new AdapterSpec.Lora(4, 8f, f == Family.GPT2 ? List.of("c_attn", "mlp.c_proj") : List.of("q_proj", "v_proj", "down_proj"));
    }

    /** LoRA everywhere but a dense delta at the last layer's MLP output projection (where edits train). */
    static AdapterSpec mixed(Family f) {
        return ((AdapterSpec.Lora) lora(f)).withDense(f == Family.GPT2 ? "h.1.mlp.c_proj" : "model.layers.1.mlp.down_proj");
    }

    static AdapterSpec delta(Family f) {
        return new AdapterSpec.Delta(List.of(f == Family.GPT2 ? "h.1.mlp.c_proj" : "model.layers.1.mlp.down_proj"));
    }

    static float[] logits(LanguageModel m, Adaptation a, dev.freshet.adaptation.model.ParameterSource p) {
        int[] ids = m.encodeWithStart("Tovrak Melun works at Karvel Dynamics");
        NDArray x = m.manager().create(LanguageModel.toLongs(ids), new Shape(1, ids.length));
        return m.logits(p, a, x).toFloatArray();
    }

    static float maxDiff(float[] a, float[] b) {
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void loraWithZeroBGivesExactlyTheBaseLogits(Family f) {
        try (LanguageModel m = tiny(f); Adapter a = Adapter.create(m, lora(f), "test", 1); NDScope s = new NDScope()) {
            float[] base = logits(m, Adaptation.NONE, m.weights());
            float[] adapted = logits(m, a.adaptation(), m.weights());
            assertEquals(0f, maxDiff(base, adapted), "B = 0 must leave every logit unchanged");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void appliedAdaptersEqualMergedWeights(Family f) {
        for (AdapterSpec spec : List.of(lora(f), delta(f), mixed(f))) {
            try (LanguageModel m = tiny(f); Adapter a = Adapter.create(m, spec, "test", 1); NDScope s = new NDScope()) {
                randomize(a);
                float[] base = logits(m, Adaptation.NONE, m.weights());
                float[] applied = logits(m, a.adaptation(), m.weights());
                Map<String, NDArray> merged = a.mergedWeights(m);
                float[] reference = logits(m, Adaptation.NONE, m.weights().overlay(merged));
                float d = maxDiff(applied, reference);
                System.out.printf("%s %s: applied vs merged max |Δ| = %.2e (vs base %.2e)%n", f, spec.kind(), d, maxDiff(applied, base));
                assertTrue(maxDiff(applied, base) > 1e-3, "the adapter must change the logits");
                assertTrue(d < 1e-4, "applied adapter differs from merged weights by " + d);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aFusedAdapterServesWhatTheAppliedOneServesAndOwnsItsMemory(Family f) {
        try (LanguageModel m = tiny(f); Adapter a = Adapter.create(m, lora(f), "test", 1)) {
            randomize(a);
            Adapter.Fused fused = a.fuse(m);
            try (NDScope s = new NDScope()) {
                float d = maxDiff(logits(m, a.adaptation(), m.weights()), logits(m, Adaptation.NONE, fused.parameters()));
                assertTrue(d < 1e-4, "fused differs from the applied adapter (the reference) by " + d);
            }
            dev.freshet.adaptation.model.SamplingOptions greedy = dev.freshet.adaptation.model.SamplingOptions.greedy(8);
            assertEquals(m.generate("Tovrak Melun", greedy, a.adaptation(), null).text(),
                    m.generate("Tovrak Melun", greedy, fused.parameters(), Adaptation.NONE, null).text());
            assertEquals(m.score("Tovrak Melun works", " at Karvel", a.adaptation()).total(),
                    m.score("Tovrak Melun works", " at Karvel", fused.parameters(), Adaptation.NONE).total(), 1e-4);
            fused.close();
            assertFalse(fused.manager().isOpen(), "closing the fused form frees its copy");
            assertTrue(a.manager().isOpen(), "and leaves the adapter alone");
        }
    }

    @Test
    void saveAndLoadRoundTripsAndRefusesAnotherBase(@TempDir Path dir) throws IOException {
        try (LanguageModel m = tiny(Family.GPT2); Adapter a = Adapter.create(m, lora(Family.GPT2), "uniform", 1); NDScope s = new NDScope()) {
            randomize(a);
            a.save(dir.resolve("v1"));
            assertTrue(Files.exists(dir.resolve("v1/adapter.safetensors")) && Files.exists(dir.resolve("v1/manifest.json")));
            assertThrows(IOException.class, () -> a.save(dir.resolve("v1")), "a saved version is immutable");
            try (Adapter b = Adapter.load(dir.resolve("v1"), m)) {
                assertEquals(0f, maxDiff(logits(m, a.adaptation(), m.weights()), logits(m, b.adaptation(), m.weights())));
                assertEquals(a.manifest().toJson(), b.manifest().toJson());
            }
            try (LanguageModel other = TinyModels.gpt2(6)) {
                IOException e = assertThrows(IOException.class, () -> Adapter.load(dir.resolve("v1"), other));
                assertTrue(e.getMessage().contains("trained on base"), e.getMessage());
            }
        }
    }

    /** A mixed adapter: the dense module holds a delta shaped like the base weight and no LoRA pair; it survives save and load. */
    @ParameterizedTest
    @EnumSource(Family.class)
    void aLoraAdapterCarriesADenseDeltaWhereAsked(Family f, @TempDir Path dir) throws IOException {
        String dense = f == Family.GPT2 ? "h.1.mlp.c_proj" : "model.layers.1.mlp.down_proj";
        try (LanguageModel m = tiny(f); Adapter a = Adapter.create(m, mixed(f), "test", 1); NDScope s = new NDScope()) {
            assertTrue(a.tensors().containsKey(dense + ".delta"));
            assertFalse(a.tensors().containsKey(dense + ".lora_A.weight"));
            String weight = m.architecture().parameters().stream().filter(p -> p.module().equals(dense) && p.isProjection()).findFirst().orElseThrow().name();
            assertEquals(m.weights().get(weight).getShape(), a.tensors().get(dense + ".delta").getShape());
            String lowRank = f == Family.GPT2 ? "h.0.mlp.c_proj" : "model.layers.0.mlp.down_proj";
            assertTrue(a.tensors().containsKey(lowRank + ".lora_A.weight"), "the other layers keep their LoRA pairs");
            randomize(a);
            a.save(dir.resolve("v1"));
            try (Adapter b = Adapter.load(dir.resolve("v1"), m)) {
                assertEquals(mixed(f), b.manifest().spec());
                assertEquals(0f, maxDiff(logits(m, a.adaptation(), m.weights()), logits(m, b.adaptation(), m.weights())));
            }
        }
    }

    @Test
    void denseModulesAreParsedAndMustBeTargeted() {
        AdapterSpec parsed = AdapterSpec.parse("lora:r=4,alpha=8,targets=c_attn+mlp.c_proj,dense=h.1.mlp.c_proj");
        assertEquals(mixed(Family.GPT2), parsed);
        try (LanguageModel m = tiny(Family.GPT2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Adapter.create(m, new AdapterSpec.Lora(4, 8f, List.of("c_attn"), List.of("h.1.mlp.c_proj")), "x", 1));
            assertTrue(e.getMessage().contains("dense module h.1.mlp.c_proj"), e.getMessage());
        }
    }

    @Test
    void targetsThatMatchNothingAreRefusedWithExamples() {
        try (LanguageModel m = tiny(Family.GPT2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Adapter.create(m, new AdapterSpec.Delta(List.of("q_proj")), "x", 1));
            assertTrue(e.getMessage().contains("c_attn"), e.getMessage());
        }
    }

    static void randomize(Adapter a) {
        for (NDArray t : a.tensors().values()) {
            NDArray r = t.getManager().randomNormal(0f, 0.05f, t.getShape(), t.getDataType());
            t.set(r.toFloatArray());
            r.close();
        }
    }
}
