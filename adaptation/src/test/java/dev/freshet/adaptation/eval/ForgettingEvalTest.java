package dev.freshet.adaptation.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.camels.TokenWeighting;
import dev.freshet.adaptation.editing.EditSettings;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.mwi.MwiSettings;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The forgetting harness at MWI's limits: τ = 0 serves the trained weights, τ = 1 serves the base model. */
class ForgettingEvalTest {

    private static final EditSettings FAST = EditSettings.DEFAULTS.withLearningRate(1e-2f).withMaxEpochs(3).withBatchSize(2);
    private static final List<String> COLUMNS = List.of(ForgettingEval.LAST_F1, ForgettingEval.LAST_EFFICACY, ForgettingEval.FIRST_F1,
            ForgettingEval.FIRST_EFFICACY, ForgettingEval.OLD_EM, ForgettingEval.OLD_PPL);

    private static ForgettingEval.Settings settings(double tau) {
        return new ForgettingEval.Settings(3, 1, 1, 1, 1, UptakeEval.ALL_PROJECTIONS, 1e-2f, 0f, FAST, "h.1.mlp.c_proj",
                new MwiSettings(tau, 1, MwiSettings.ResetPolicy.NEVER), List.of(MwiSettings.ResetPolicy.NEVER), 2, 4);
    }

    @Test
    void tauZeroEqualsNoMwiAndEveryWindowIsTrained() {
        EvalData data = EvalFixtures.data(3, 3);
        try (LanguageModel m = EvalFixtures.sharpGpt2(8)) {
            List<String> progress = new ArrayList<>();
            EvalTable t = ForgettingEval.run(m, data, settings(0), TokenWeighting.UNIFORM, progress::add);
            assertEquals(List.of("no MWI", "MWI reset never"), t.rowLabels());
            for (String c : COLUMNS) {
                assertEquals(t.values("no MWI", c), t.values("MWI reset never", c), c);
            }
            List<String> windows = progress.stream().filter(l -> l.contains(" window ")).toList();
            assertEquals(2 * 3, windows.size(), "one line per window and arm: " + progress);
            assertTrue(windows.stream().allMatch(l -> l.contains("1 document steps")), progress.toString());
            // Each arm's figures are printed as soon as they are measured, not only in the final table.
            assertEquals(2, progress.stream().filter(l -> l.contains("last doc F1")).count(), progress.toString());
        }
    }

    @Test
    void tauOneServesTheBaseModel() {
        EvalData data = EvalFixtures.data(3, 3);
        try (LanguageModel m = EvalFixtures.sharpGpt2(8)) {
            EvalTable t = ForgettingEval.run(m, data, settings(1), TokenWeighting.UNIFORM, null);
            OldWorldProbe.Result base = data.probe(2, 4).measure(m, Adaptation.NONE);
            assertEquals(List.of(base.perplexity()), t.values("MWI reset never", ForgettingEval.OLD_PPL));
            assertTrue(t.values("no MWI", ForgettingEval.OLD_PPL).get(0) != base.perplexity(), "without MWI the served model moved");
        }
    }
}
