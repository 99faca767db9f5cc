package dev.freshet.adaptation.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.camels.TokenWeighting;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaPair;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The uptake harness: {@code none} is the base model, a learning weighting moves the model, seeds aggregate. */
class UptakeEvalTest {

    private static final UptakeEval.Settings SETTINGS = new UptakeEval.Settings(4, 2, 1, new AdapterSpec.Delta(List.of("c_attn", "c_proj", "c_fc")), "adamw",
            1e-2f, 0f, 10, 10);

    @Test
    void noneLeavesTheModelUnchangedSoItsUptakeIsTheBaseModels() {
        EvalData data = EvalFixtures.data(4, 0);
        try (LanguageModel m = EvalFixtures.sharpGpt2(11)) {
            Map<String, float[]> before = EvalFixtures.baseWeights(m);
            List<String> progress = new ArrayList<>();
            EvalTable t = UptakeEval.run(m, data, SETTINGS,
                    List.of(new UptakeEval.Arm("none", TokenWeighting.NONE), new UptakeEval.Arm("uniform", TokenWeighting.UNIFORM)), progress::add);
            List<QaPair> questions = data.documents().stream().flatMap(d -> d.questions().stream()).toList();
            QaEval.QaScore base = QaEval.evaluate(m, Adaptation.NONE, questions);
            OldWorldProbe.Result baseOld = data.probe(10, 10).measure(m, Adaptation.NONE);
            assertEquals(List.of(base.exactMatch(), base.exactMatch()), t.values("none", UptakeEval.DOC_EM), "two seeds, both the base model");
            assertEquals(List.of(base.f1(), base.f1()), t.values("none", UptakeEval.DOC_F1));
            double nll = UptakeEval.answerNll(m, Adaptation.NONE, questions);
            assertEquals(List.of(nll, nll), t.values("none", UptakeEval.DOC_NLL));
            assertEquals(List.of(baseOld.exactMatch(), baseOld.exactMatch()), t.values("none", UptakeEval.OLD_EM));
            assertEquals(List.of(baseOld.perplexity(), baseOld.perplexity()), t.values("none", UptakeEval.OLD_PPL));
            assertEquals(List.of(0.0, 0.0), t.values("none", UptakeEval.STEPS), "none makes no optimizer step");
            assertEquals(List.of(4.0, 4.0), t.values("uniform", UptakeEval.STEPS), "one step per document");
            assertNotEquals(baseOld.perplexity(), t.values("uniform", UptakeEval.OLD_PPL).get(0), "learning moved the model");
            assertNotEquals(nll, t.values("uniform", UptakeEval.DOC_NLL).get(0));
            EvalFixtures.baseWeights(m).forEach((name, v) -> assertArrayEquals(before.get(name), v, "base weight " + name + " changed"));
            assertTrue(Double.isNaN(t.values("none", UptakeEval.ANSWER_SHARE).get(0)), "none weighs nothing: no share");
            double share = t.values("uniform", UptakeEval.ANSWER_SHARE).get(0);
            assertTrue(share > 0 && share < 1, "uniform's share is the answer tokens' fraction: " + share);
            assertEquals(share, t.values("uniform", UptakeEval.ANSWER_SHARE).get(1), 1e-9, "both seeds stream all 4 documents");
            assertEquals(2 * 2 * 2, progress.size(), "a learning line and a result line per seed and arm: " + progress);
        }
    }

    @Test
    void theOracleArmPutsAllWeightOnTheAnswersAndSaysWhatItIs() throws Exception {
        EvalData data = EvalFixtures.data(4, 0);
        try (LanguageModel m = EvalFixtures.sharpGpt2(11); Weightings w = Weightings.open(List.of(Weightings.ORACLE), null, m, data)) {
            EvalTable t = UptakeEval.run(m, data, SETTINGS, List.of(new UptakeEval.Arm(w.label(Weightings.ORACLE), w.get(Weightings.ORACLE))), null);
            assertEquals("oracle (answers)", w.label(Weightings.ORACLE));
            assertEquals(List.of(1.0, 1.0), t.values("oracle (answers)", UptakeEval.ANSWER_SHARE));
            assertEquals(List.of(4.0, 4.0), t.values("oracle (answers)", UptakeEval.STEPS), "every document names its answers");
            assertTrue(w.notes().stream().anyMatch(n -> n.contains("upper bound")), w.notes().toString());
        }
    }

    @Test
    void documentsAreCappedAtWhatTheDataHolds() {
        EvalData data = EvalFixtures.data(2, 0);
        try (LanguageModel m = EvalFixtures.sharpGpt2(11)) {
            EvalTable t = UptakeEval.run(m, data, SETTINGS, List.of(new UptakeEval.Arm("uniform", TokenWeighting.UNIFORM)), null);
            assertEquals(List.of(2.0, 2.0), t.values("uniform", UptakeEval.STEPS));
            assertEquals(1, t.notes().stream().filter(n -> n.contains("asked for 4 documents")).count());
        }
    }
}
