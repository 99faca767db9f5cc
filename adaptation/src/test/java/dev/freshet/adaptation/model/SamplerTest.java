package dev.freshet.adaptation.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Greedy, temperature and top-p choices on hand-made distributions. */
class SamplerTest {

    private static final float[] LOGITS = {0f, 3f, 2.5f, -1f, 1f};

    @Test
    void greedyPicksTheArgmax() {
        assertEquals(1, new Sampler(SamplingOptions.greedy(1)).next(LOGITS));
    }

    @Test
    void tinyTopPKeepsOnlyTheMostLikelyToken() {
        Sampler s = new Sampler(new SamplingOptions(1, 1f, 0.01f, 5, List.of(), true));
        for (int i = 0; i < 200; i++) {
            assertEquals(1, s.next(LOGITS));
        }
    }

    @Test
    void temperatureSamplingFollowsTheSoftmaxAndIsReproducible() {
        int n = 20_000;
        int[] counts = new int[LOGITS.length];
        Sampler s = new Sampler(new SamplingOptions(1, 1f, 1f, 42, List.of(), true));
        for (int i = 0; i < n; i++) {
            counts[s.next(LOGITS)]++;
        }
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l);
        }
        for (int k = 0; k < LOGITS.length; k++) {
            double p = Math.exp(LOGITS[k]) / z;
            assertEquals(p, (double) counts[k] / n, 0.015, "token " + k);
        }
        Sampler a = new Sampler(new SamplingOptions(1, 0.7f, 0.9f, 7, List.of(), true));
        Sampler b = new Sampler(new SamplingOptions(1, 0.7f, 0.9f, 7, List.of(), true));
        for (int i = 0; i < 100; i++) {
            assertEquals(a.next(LOGITS), b.next(LOGITS), "same seed, same choices");
        }
    }

    @Test
    void topPNeverPicksOutsideTheNucleus() {
        // p ≈ [.03, .51, .31, .01, .07, ...]: top-p 0.8 keeps tokens 1 and 2 only.
        Sampler s = new Sampler(new SamplingOptions(1, 1f, 0.8f, 3, List.of(), true));
        for (int i = 0; i < 2000; i++) {
            int t = s.next(LOGITS);
            assertTrue(t == 1 || t == 2, "picked " + t);
        }
    }
}
