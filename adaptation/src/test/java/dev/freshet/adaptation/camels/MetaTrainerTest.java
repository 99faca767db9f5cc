package dev.freshet.adaptation.camels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.WorldDocument;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A few meta-training steps on the TINY world, and exact resumption from a checkpoint. */
class MetaTrainerTest {

    static final List<WorldDocument> TRAIN = CamelsFixtures.WORLD.documents().subList(0, 4);
    static final List<WorldDocument> VALIDATION = CamelsFixtures.WORLD.documents().subList(16, 20);

    static MetaConfig config(int steps) {
        return new MetaConfig(steps, 4, 0.5f, 0.1f, 1e-2f, 96, 1, 32, 1e-3, 0, 0, 2, 9L, false, 0);
    }

    @Test
    void aFewMetaStepsLowerTheOuterLossOnTheTrainingDocuments(@TempDir Path out) throws Exception {
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m);
                WeightingModel wm = CamelsFixtures.weighting(4)) {
            MetaTrainer trainer = new MetaTrainer(theta, wm, config(8), TRAIN, VALIDATION, CamelsFixtures.WORLD.heldOutTexts(), System.out);
            double before = trainer.outerLoss(TRAIN, null).total();
            double uniform = trainer.outerLoss(TRAIN, 1.0).total();
            long t0 = System.nanoTime();
            MetaTrainer.Report r = trainer.train(out, false);
            double after = trainer.outerLoss(TRAIN, null).total();
            System.out.printf("outer loss on the training documents: %.5f before, %.5f after %d meta-steps (uniform w=1: %.5f); %.2f s/step%n",
                    before, after, r.steps(), uniform, (System.nanoTime() - t0) / 1e9 / r.steps());
            r.history().forEach(s -> System.out.printf("  step %d outer %.5f mean w %.4f%n", s.step(), s.outerLoss(), s.meanWeight()));
            assertTrue(after < before - 1e-3, "meta-training did not lower the outer loss: " + before + " -> " + after);
            assertTrue(Files.isRegularFile(out.resolve("last/weighting.safetensors")), "the final weighting model is written");
            assertTrue(Files.isRegularFile(out.resolve("checkpoint/trainer.json")), "a resumable checkpoint is written");
        }
    }

    /**
     * {@code meta-train --compare} scores fixed weightings: uniform and none must score exactly as the constant
     * weights 1 and 0 do, here with chained, Adam-preconditioned inner steps.
     */
    @Test
    void aFixedWeightingScoresAsItsConstantWeightsDo() {
        MetaConfig cfg = new MetaConfig(1, 4, 1e-3f, 0.1f, 1e-2f, 96, 1, 32, 1e-3, 0, 0, 2, 9L, true, 4);
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m);
                WeightingModel wm = CamelsFixtures.weighting(4);
                MetaTrainer trainer = new MetaTrainer(theta, wm, cfg, TRAIN, VALIDATION, CamelsFixtures.WORLD.heldOutTexts(), quiet())) {
            double uniform = trainer.validationLoss(1.0).total();
            double none = trainer.validationLoss(0.0).total();
            assertTrue(Double.isFinite(uniform) && Math.abs(uniform - none) > 1e-3, "the inner step must move the outer loss: " + uniform + " " + none);
            assertEquals(uniform, trainer.validationLossOf(TokenWeighting.UNIFORM).total(), 1e-6);
            assertEquals(none, trainer.validationLossOf(TokenWeighting.NONE).total(), 1e-6);
        }
    }

    @Test
    void resumingANormalisedRunWithoutNormalisingFailsAndSaysWhy(@TempDir Path out) throws Exception {
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m);
                WeightingModel wm = CamelsFixtures.weighting(4).normalized(true)) {
            new MetaTrainer(theta, wm, config(1), TRAIN, List.of(), CamelsFixtures.WORLD.heldOutTexts(), quiet()).train(out, false);
        }
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m);
                WeightingModel wm = CamelsFixtures.weighting(4)) {
            MetaTrainer trainer = new MetaTrainer(theta, wm, config(2), TRAIN, List.of(), CamelsFixtures.WORLD.heldOutTexts(), quiet());
            IOException e = assertThrows(IOException.class, () -> trainer.train(out, true));
            assertTrue(e.getMessage().contains("with --normalize"), e.getMessage());
        }
    }

    @Test
    void resumingWithAnotherInnerStepFailsAndSaysWhy(@TempDir Path out) throws Exception {
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m);
                WeightingModel wm = CamelsFixtures.weighting(4)) {
            new MetaTrainer(theta, wm, config(1), TRAIN, List.of(), CamelsFixtures.WORLD.heldOutTexts(), quiet()).train(out, false);
        }
        MetaConfig chained = new MetaConfig(2, 4, 0.5f, 0.1f, 1e-2f, 96, 1, 32, 1e-3, 0, 0, 2, 9L, true, 0);
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m);
                WeightingModel wm = CamelsFixtures.weighting(4)) {
            MetaTrainer trainer = new MetaTrainer(theta, wm, chained, TRAIN, List.of(), CamelsFixtures.WORLD.heldOutTexts(), quiet());
            IOException e = assertThrows(IOException.class, () -> trainer.train(out, true));
            assertTrue(e.getMessage().contains("'one step, SGD") && e.getMessage().contains("resume it the same way"), e.getMessage());
        }
    }

    @Test
    void resumingFromACheckpointContinuesExactlyWhereTheRunStopped(@TempDir Path out) throws Exception {
        float[] straight;
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m);
                WeightingModel wm = CamelsFixtures.weighting(4)) {
            new MetaTrainer(theta, wm, config(4), TRAIN, List.of(), CamelsFixtures.WORLD.heldOutTexts(), quiet()).train(out.resolve("a"), false);
            straight = flat(wm.parameters());
        }
        float[] resumed;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m);
                WeightingModel wm = CamelsFixtures.weighting(4)) {
            new MetaTrainer(theta, wm, config(2), TRAIN, List.of(), CamelsFixtures.WORLD.heldOutTexts(), quiet()).train(out.resolve("b"), false);
        }
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m);
                WeightingModel wm = CamelsFixtures.weighting(99)) { // a different init: everything must come from the checkpoint
            MetaTrainer.Report r = new MetaTrainer(theta, wm, config(4), TRAIN, List.of(), CamelsFixtures.WORLD.heldOutTexts(),
                    new PrintStream(log, true, StandardCharsets.UTF_8)).train(out.resolve("b"), true);
            resumed = flat(wm.parameters());
            assertEquals(4, r.history().size(), "history carries over the first run's steps");
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("resumed from") && text.contains("step     3/4") && !text.contains("step     1/4"), text);
        float diff = 0;
        for (int i = 0; i < straight.length; i++) {
            diff = Math.max(diff, Math.abs(straight[i] - resumed[i]));
        }
        System.out.printf("φ after 4 steps, straight vs 2 + resumed 2: max |Δ| = %.2e%n", diff);
        assertTrue(diff < 1e-6, "resumed run diverged from the uninterrupted one by " + diff);
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    private static float[] flat(Map<String, ai.djl.ndarray.NDArray> p) {
        int n = p.values().stream().mapToInt(a -> (int) a.size()).sum();
        float[] out = new float[n];
        int at = 0;
        for (ai.djl.ndarray.NDArray a : p.values()) {
            float[] v = a.toFloatArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }
}
