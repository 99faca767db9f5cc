package dev.freshet.adaptation.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.freshet.adaptation.model.ModelConfig.Family;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The forward pass: KV-cache decoding against full recomputation, batching against one-by-one scoring. */
class LanguageModelTest {

    static LanguageModel tiny(Family f) {
        return f == Family.GPT2 ? TinyModels.gpt2(11) : TinyModels.llama(11);
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void kvCacheGenerationEqualsFullRecomputation(Family family) {
        try (LanguageModel m = tiny(family)) {
            SamplingOptions opts = SamplingOptions.greedy(24);
            Generation cached = m.generate("Tovrak Melun works at", opts, Adaptation.NONE, null);
            Generation full = m.generate("Tovrak Melun works at", opts.withKvCache(false), Adaptation.NONE, null);
            assertEquals(24, cached.tokens().length, "random weights rarely pick EOS; generation should run to max tokens");
            assertArrayEquals(full.tokens(), cached.tokens(), "greedy tokens must not depend on the KV cache");
            float maxDiff = 0;
            for (int i = 0; i < full.logprobs().length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(full.logprobs()[i] - cached.logprobs()[i]));
            }
            System.out.printf("%s KV cache vs recompute: max |Δ logprob| = %.2e%n", family, maxDiff);
            assertTrue(maxDiff < 1e-4, "logprobs differ by " + maxDiff);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void cachedLogitsMatchFullForwardAtEveryPosition(Family family) {
        try (LanguageModel m = tiny(family); NDScope scope = new NDScope()) {
            int[] ids = m.encodeWithStart("Karvel Dynamics was founded in 1987");
            NDArray x = m.manager().create(LanguageModel.toLongs(ids), new Shape(1, ids.length));
            float[] full = m.logits(m.weights(), Adaptation.NONE, x).toFloatArray();
            int v = m.config().vocabSize();
            try (KvCache cache = new KvCache(m.manager(), m.config().layers())) {
                // Prefill with a 3-token chunk, then one token at a time: both paths through the mask.
                NDArray first = m.manager().create(LanguageModel.toLongs(java.util.Arrays.copyOf(ids, 3)), new Shape(1, 3));
                float[] got = m.architecture().logits(m.weights(), Adaptation.NONE, first, cache).toFloatArray();
                assertClose(full, 0, got, 0, 3 * v);
                for (int t = 3; t < ids.length; t++) {
                    NDArray one = m.manager().create(new long[] {ids[t]}, new Shape(1, 1));
                    float[] step = m.architecture().logits(m.weights(), Adaptation.NONE, one, cache).toFloatArray();
                    assertClose(full, t * v, step, 0, v);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void batchedScoringEqualsOneByOne(Family family) {
        try (LanguageModel m = tiny(family)) {
            List<String[]> pairs = List.of(new String[] {"Q: Where was Tovrak Melun born?\nA:", " Sarvel"},
                    new String[] {"", "The quick brown fox"}, new String[] {"Karvel", " Dynamics was founded in 1987 and is headquartered"});
            List<Score> batched = m.scoreBatch(pairs, Adaptation.NONE);
            for (int i = 0; i < pairs.size(); i++) {
                Score one = m.score(pairs.get(i)[0], pairs.get(i)[1], Adaptation.NONE);
                assertEquals(one.tokenLogprobs().length, batched.get(i).tokenLogprobs().length);
                assertEquals(one.total(), batched.get(i).total(), 1e-4, "pair " + i);
                assertTrue(one.total() < 0);
            }
        }
    }

    private static void assertClose(float[] a, int aFrom, float[] b, int bFrom, int n) {
        float max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.abs(a[aFrom + i] - b[bFrom + i]));
        }
        assertTrue(max < 1e-4, "max |Δ logit| = " + max);
    }
}
