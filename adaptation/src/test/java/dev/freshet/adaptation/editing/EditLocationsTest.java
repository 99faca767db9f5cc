package dev.freshet.adaptation.editing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.editing.EditLocations.Location;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.TinyModels;

import java.util.List;

import org.junit.jupiter.api.Test;

class EditLocationsTest {

    @Test
    void candidatesCoverEachLayersProjectionsMlpAttentionAndWholeLayer() {
        try (LanguageModel gpt2 = TinyModels.gpt2(1); LanguageModel llama = TinyModels.llama(1)) {
            List<String> g = EditLocations.candidates(gpt2).stream().map(Location::label).toList();
            assertEquals(List.of("L0 mlp.c_fc", "L0 mlp.c_proj", "L0 mlp", "L0 attn", "L0 layer", "L1 mlp.c_fc", "L1 mlp.c_proj", "L1 mlp", "L1 attn", "L1 layer"), g);
            List<Location> l = EditLocations.candidates(llama);
            assertEquals(List.of("L0 mlp.gate_proj", "L0 mlp.up_proj", "L0 mlp.down_proj", "L0 mlp", "L0 attn", "L0 layer"),
                    l.subList(0, 6).stream().map(Location::label).toList());
            Location attn = l.stream().filter(x -> x.label().equals("L1 attn")).findFirst().orElseThrow();
            assertEquals(4, attn.modules().size(), "q, k, v and o projections: " + attn.modules());
            Location layer = l.stream().filter(x -> x.label().equals("L1 layer")).findFirst().orElseThrow();
            assertEquals(7, layer.modules().size());
        }
    }

    @Test
    void sweepTrainsEachLocationWithEachOrderAndTabulates() {
        try (LanguageModel m = EditFixtures.sharpGpt2(2)) {
            List<Location> locs = EditLocations.candidates(m).stream().filter(x -> x.label().equals("L1 mlp.c_proj") || x.label().equals("L1 layer")).toList();
            EditSettings s = EditSettings.DEFAULTS.withMaxEpochs(2).withMaxStepsPerEdit(2).withLearningRate(1e-2f);
            EditLocations.Sweep sweep = EditLocations.sweep(m, EditFixtures.edits(2), locs, List.of(EditOrder.BREADTH_FIRST, EditOrder.DEPTH_FIRST), s, 1e-3f, 2, null);
            String table = sweep.table();
            System.out.print(table);
            assertEquals(4, sweep.rows().size());
            assertTrue(table.contains("L1 layer") && table.contains("(unedited)"));
            assertTrue(sweep.rows().stream().allMatch(r -> r.appliedSteps() > 0 && r.scores().edits() == 2 && r.scores().neighbors() == 2));
        }
    }
}
