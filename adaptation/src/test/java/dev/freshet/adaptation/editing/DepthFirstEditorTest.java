package dev.freshet.adaptation.editing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.editing.EditResult.EditStep;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.TinyModels;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The depth-first baseline: one edit at a time, to convergence, in window order. */
class DepthFirstEditorTest {

    @Test
    void visitsEachEditAloneUntilConvergedBeforeTheNext() {
        List<WorldEdit> edits = EditFixtures.edits(3);
        int maxSteps = 60;
        EditSettings s = EditSettings.DEFAULTS.withLearningRate(1e-2f).withThresholds(0.01f, 0.5f).withMaxStepsPerEdit(maxSteps);
        List<String> layer1 = List.of("h.1.attn.c_attn", "h.1.attn.c_proj", "h.1.mlp.c_fc", "h.1.mlp.c_proj");
        try (LanguageModel m = EditFixtures.sharpGpt2(3); Adapter a = Adapter.create(m, new AdapterSpec.Delta(layer1), "test", 1)) {
            EditResult r = new DepthFirstEditor(m, a, a.modules(), s).apply(edits);
            assertTrue(r.steps().stream().allMatch(st -> st.editIds().size() == 1), "depth-first batches hold one edit");
            List<String> blockOrder = new ArrayList<>();
            List<List<EditStep>> blocks = new ArrayList<>();
            for (EditStep st : r.steps()) {
                String id = st.editIds().get(0);
                if (blockOrder.isEmpty() || !blockOrder.get(blockOrder.size() - 1).equals(id)) {
                    blockOrder.add(id);
                    blocks.add(new ArrayList<>());
                }
                blocks.get(blocks.size() - 1).add(st);
            }
            System.out.println("depth-first block lengths " + blocks.stream().map(List::size).toList() + ", final loss " + r.finalLoss());
            assertEquals(List.of("e1", "e2", "e3"), blockOrder, "each edit is visited in one contiguous run, in window order");
            for (List<EditStep> b : blocks) {
                EditStep last = b.get(b.size() - 1);
                boolean converged = last.loss() < 0.5f && !last.applied();
                assertTrue(converged || b.size() == maxSteps, "an edit was left before converging: " + b);
                assertTrue(b.subList(0, b.size() - 1).stream().allMatch(EditStep::applied), "steps before convergence are applied");
            }
            assertTrue(blocks.stream().anyMatch(b -> b.size() > 2), "an edit should need several steps");
            assertTrue(r.converged());
        }
    }

    @Test
    void onlyTheLocalizedTensorsChangeOnLlama() {
        AdapterSpec twoModules = new AdapterSpec.Delta(List.of("model.layers.0.mlp.down_proj", "model.layers.1.mlp.down_proj"));
        try (LanguageModel m = TinyModels.llama(3); Adapter a = Adapter.create(m, twoModules, "test", 1)) {
            Map<String, float[]> base = EditFixtures.baseWeights(m);
            Map<String, float[]> before = EditFixtures.values(a.tensors());
            EditSettings s = EditSettings.DEFAULTS.withLearningRate(1e-2f).withMaxStepsPerEdit(3);
            new DepthFirstEditor(m, a, List.of("model.layers.1.mlp.down_proj"), s).apply(EditFixtures.edits(2));
            EditFixtures.baseWeights(m).forEach((name, v) -> assertArrayEquals(base.get(name), v, "base weight " + name + " changed"));
            Map<String, float[]> after = EditFixtures.values(a.tensors());
            assertArrayEquals(before.get("model.layers.0.mlp.down_proj.delta"), after.get("model.layers.0.mlp.down_proj.delta"));
            assertFalse(Arrays.equals(before.get("model.layers.1.mlp.down_proj.delta"), after.get("model.layers.1.mlp.down_proj.delta")));
        }
    }
}
