package dev.freshet.adaptation.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.editing.EditMetrics;
import dev.freshet.adaptation.editing.EditOrder;
import dev.freshet.adaptation.editing.EditSettings;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaFormat;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The edits harness: its arms, its windows, and that every figure is a fraction over all edits. */
class EditsEvalTest {

    private static final EditSettings FAST = EditSettings.DEFAULTS.withLearningRate(1e-2f).withMaxEpochs(3).withMaxStepsPerEdit(3).withBatchSize(2);

    @Test
    void armsAreLocalizedBreadthFirstDepthFirstAndTheWholeLayer() {
        try (LanguageModel m = EvalFixtures.sharpGpt2(2)) {
            List<EditsEval.Arm> arms = EditsEval.arms(m, new EditsEval.Settings(4, 2, 1, 1, FAST, "h.1.mlp.c_proj", 4, 2, 0.01, 0.1f));
            assertEquals(List.of(EditOrder.BREADTH_FIRST, EditOrder.DEPTH_FIRST, EditOrder.BREADTH_FIRST, EditOrder.BREADTH_FIRST, EditOrder.BREADTH_FIRST,
                    EditOrder.BREADTH_FIRST), arms.stream().map(EditsEval.Arm::order).toList());
            assertEquals(List.of("h.1.mlp.c_proj"), arms.get(5).modules(), "the key-preconditioned arm trains where LocFT-BF does");
            assertEquals(0.1f, arms.get(5).learningRate(), 1e-9, "at its own (SGD) learning rate");
            assertEquals(List.of("h.1.mlp.c_proj"), arms.get(3).modules(), "the retain arm trains where LocFT-BF does");
            assertEquals(List.of("h.1.mlp.c_proj"), arms.get(4).modules(), "so does the old-world retain arm");
            assertEquals(List.of("h.1.mlp.c_proj"), arms.get(0).modules());
            assertEquals(List.of("h.1.attn.c_attn", "h.1.attn.c_proj", "h.1.mlp.c_fc", "h.1.mlp.c_proj"), arms.get(2).modules());
            assertEquals(FAST.learningRate() / 10, arms.get(2).learningRate(), 1e-9);
            assertThrows(IllegalArgumentException.class, () -> EditsEval.arms(m, new EditsEval.Settings(4, 2, 1, 1, FAST, "h.9.mlp.c_proj", 4, 2, 0.01, 0.1f)));
        }
    }

    @Test
    void feedsEveryWindowAndMeasuresAllEdits() {
        EvalData data = EvalFixtures.data(0, 5);
        try (LanguageModel m = EvalFixtures.sharpGpt2(2)) {
            List<String> progress = new ArrayList<>();
            EvalTable t = EditsEval.run(m, data, new EditsEval.Settings(9, 2, 2, 1, FAST, "h.1.mlp.c_proj", 4, 2, 0.01, 0.1f), progress::add);
            assertEquals(List.of("(unedited)", "LocFT-BF", "FT depth-first", "FT full layer (BF)", "LocFT-BF + key precond."), t.rowLabels());
            // 5 edits in windows of 2 → 3 windows, per arm and seed.
            for (String arm : List.of("LocFT-BF", "FT depth-first", "LocFT-BF + key precond.")) {
                Pattern line = Pattern.compile("  " + Pattern.quote(arm) + " +window ");
                assertEquals(2 * 3, progress.stream().filter(l -> line.matcher(l).find()).count(), arm);
            }
            assertTrue(progress.stream().anyMatch(l -> l.contains("window 3/3: 1 edits trained")), "the last window holds the fifth edit");
            assertTrue(progress.stream().anyMatch(l -> l.contains("all 5 edits")));
            for (String row : t.rowLabels()) {
                for (String col : List.of(EditsEval.EFFICACY, EditsEval.GENERALIZATION, EditsEval.LOCALITY)) {
                    assertEquals(2, t.values(row, col).size());
                    t.values(row, col).forEach(v -> assertTrue(v >= 0 && v <= 1, row + " " + col + " " + v));
                }
            }
            assertTrue(t.notes().stream().anyMatch(n -> n.contains("holds only 5")), "N is capped and the cap is reported");
            assertTrue(t.notes().stream().anyMatch(n -> n.contains("retain arm is skipped")), "no documents, no retain arm, and the table says so");
        }
    }

    @Test
    void runsOnlyTheNamedArms() {
        EvalData data = EvalFixtures.data(0, 3);
        try (LanguageModel m = EvalFixtures.sharpGpt2(2)) {
            EditsEval.Settings s = new EditsEval.Settings(3, 3, 1, 1, FAST, "h.1.mlp.c_proj", 2, 2, 0.01, 0.1f);
            EvalTable t = EditsEval.run(m, data, s, List.of("locft"), null);
            assertEquals(List.of("(unedited)", "LocFT-BF"), t.rowLabels());
            assertThrows(IllegalArgumentException.class, () -> EditsEval.run(m, data, s, List.of("locft", "rome"), null));
        }
    }

    @Test
    void theRetainArmTrainsOnDocumentQuestionsWithTheUneditedAnswers() {
        EvalData data = EvalFixtures.data(4, 3);
        try (LanguageModel m = EvalFixtures.sharpGpt2(2)) {
            List<WorldEdit> anchors = EditsEval.retainSet(m, data, line -> { });
            List<String> questions = data.documents().stream().flatMap(d -> d.questions().stream()).map(q -> QaFormat.prompt(q.question())).toList();
            assertFalse(anchors.isEmpty());
            for (WorldEdit a : anchors) {
                assertTrue(questions.contains(a.prompt()), a.prompt());
                assertEquals(EditMetrics.greedyAnswer(m, Adaptation.NONE, a.prompt()), a.target(), "the target is the unedited model's own answer");
            }
            EvalTable t = EditsEval.run(m, data, new EditsEval.Settings(3, 3, 1, 1, FAST, "h.1.mlp.c_proj", 2, 2, 0.01, 0.1f), List.of("retain"), null);
            assertEquals(List.of("(unedited)", "LocFT-BF + retain"), t.rowLabels());
        }
    }

    @Test
    void theOldWorldRetainArmTrainsOnHeldOutOldQuestionsNoMeasurementReads() {
        EvalData data = EvalFixtures.data(0, 3);
        try (LanguageModel m = EvalFixtures.sharpGpt2(2)) {
            List<WorldEdit> anchors = EditsEval.oldWorldRetainSet(m, data, line -> { });
            List<String> prompts = anchors.stream().map(WorldEdit::prompt).toList();
            // The fixture's first held-out question is also an old-world probe question: a measurement reads it.
            assertFalse(prompts.contains(QaFormat.prompt(data.oldWorldQa().get(0).question())), "an anchor the old-world probe reads");
            assertFalse(anchors.isEmpty());
            for (WorldEdit a : anchors) {
                assertTrue(data.heldOutQa().stream().anyMatch(q -> QaFormat.prompt(q.question()).equals(a.prompt())), a.prompt());
                assertEquals(EditMetrics.greedyAnswer(m, Adaptation.NONE, a.prompt()), a.target(), "the target is the unedited model's own answer");
            }
            EditsEval.Settings s = new EditsEval.Settings(3, 3, 1, 1, FAST, "h.1.mlp.c_proj", 2, 2, 0.01, 0.1f);
            assertEquals(List.of("(unedited)", "LocFT-BF + old retain"), EditsEval.run(m, data, s, List.of("retain-old"), null).rowLabels());
            EvalData none = new EvalData("no held-out", data.documents(), data.edits(), data.oldWorldQa(), data.oldWorldTexts(), List.of());
            EvalTable t = EditsEval.run(m, none, s, List.of("locft", "retain-old"), null);
            assertEquals(List.of("(unedited)", "LocFT-BF"), t.rowLabels());
            assertTrue(t.notes().stream().anyMatch(n -> n.contains("old retain arm is skipped")), "no held-out questions, no arm, and the table says so");
        }
    }

    @Test
    void theKeyPreconditionedArmReadsQuestionsNoMeasurementReads() {
        EvalData data = EvalFixtures.data(4, 3);
        List<String> texts = EditsEval.keyTexts(data);
        // The fixture's first held-out question is also an old-world probe question: a measurement reads it.
        assertFalse(texts.contains(QaFormat.text(data.oldWorldQa().get(0))), "a key text the old-world probe reads");
        List<String> heldOut = data.heldOutQa().stream().map(QaFormat::text).toList();
        List<String> documentPrompts = data.documents().stream().flatMap(d -> d.questions().stream()).map(q -> QaFormat.prompt(q.question())).toList();
        assertTrue(texts.stream().anyMatch(heldOut::contains) && texts.stream().anyMatch(documentPrompts::contains), texts.toString());
        assertTrue(texts.stream().allMatch(t -> heldOut.contains(t) || documentPrompts.contains(t)), texts.toString());
        // The fixture's document questions are also its edits' neighbours, except the fourth's.
        List<String> neighbours = data.edits().stream().flatMap(e -> e.neighbors().stream()).map(n -> n.prompt()).toList();
        assertTrue(texts.stream().noneMatch(neighbours::contains), "a key text a locality measurement reads: " + texts);
        try (LanguageModel m = EvalFixtures.sharpGpt2(2)) {
            EditsEval.Settings s = new EditsEval.Settings(3, 3, 1, 1, FAST, "h.1.mlp.c_proj", 2, 2, 0.01, 0.1f);
            EvalTable t = EditsEval.run(m, data, s, List.of("precond"), null);
            assertEquals(List.of("(unedited)", "LocFT-BF + key precond."), t.rowLabels());
            assertTrue(t.settings().toString().contains("keys from the held-out old-world questions with their answers and the document questions' prompts"), t.settings().toString());
            EvalData none = new EvalData("no held-out", List.of(), data.edits(), data.oldWorldQa(), data.oldWorldTexts(), List.of());
            EvalTable skipped = EditsEval.run(m, none, s, List.of("locft", "precond"), null);
            assertEquals(List.of("(unedited)", "LocFT-BF"), skipped.rowLabels());
            assertTrue(skipped.notes().stream().anyMatch(n -> n.contains("key-preconditioned arm is skipped")), "no held-out questions, no arm, and the table says so");
        }
    }
}
