package dev.freshet.adaptation.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.editing.EditMetrics;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.TinyModels;
import dev.freshet.adaptation.world.QaFormat;
import dev.freshet.adaptation.world.QaPair;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The batched greedy decoder against the one-prompt-at-a-time reference it replaces. */
class BatchedAnswersTest {

    private static List<String> prompts() {
        List<String> out = new ArrayList<>();
        for (String q : List.of("Where was Tovrak Melun born?", "Who founded Karvel Dynamics?", "What does the fox do?", "When?",
                "Where is Sarvel, the city where Karvel Dynamics was founded in 1987 and Tovrak Melun works as an engineer?")) {
            out.add(QaFormat.prompt(q));
        }
        out.add("Q: x\nA:");
        return out;
    }

    @Test
    void answersEqualTheReferenceOnGpt2AndLlama() {
        for (LanguageModel m : List.of(EvalFixtures.sharpGpt2(5), TinyModels.llama(5))) {
            try (m) {
                List<String> batched = BatchedAnswers.answers(m, Adaptation.NONE, prompts());
                List<String> reference = prompts().stream().map(p -> EditMetrics.greedyAnswer(m, Adaptation.NONE, p)).toList();
                System.out.println(m.id() + " answers " + batched);
                assertEquals(reference, batched, m.id());
            }
        }
    }

    @Test
    void answersDifferAcrossPromptsSoTheComparisonMeansSomething() {
        try (LanguageModel m = EvalFixtures.sharpGpt2(5)) {
            assertTrue(new HashSet<>(BatchedAnswers.answers(m, Adaptation.NONE, prompts())).size() > 1);
        }
    }

    @Test
    void scoresEqualQaEvalAndEditMetrics() {
        EvalData d = EvalFixtures.data(6, 6);
        try (LanguageModel m = EvalFixtures.sharpGpt2(7)) {
            List<QaPair> qa = d.documents().stream().flatMap(x -> x.questions().stream()).toList();
            assertEquals(QaEval.evaluate(m, Adaptation.NONE, qa), BatchedAnswers.evaluate(m, Adaptation.NONE, qa));
            assertEquals(EditMetrics.measure(m, Adaptation.NONE, d.edits()), BatchedAnswers.editScores(m, Adaptation.NONE, d.edits()));
        }
    }

    @Test
    void moreThanOneBatchKeepsPromptOrder() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < BatchedAnswers.BATCH + 5; i++) {
            many.add(prompts().get(i % prompts().size()));
        }
        try (LanguageModel m = EvalFixtures.sharpGpt2(5)) {
            List<String> one = BatchedAnswers.answers(m, Adaptation.NONE, prompts());
            List<String> all = BatchedAnswers.answers(m, Adaptation.NONE, many);
            for (int i = 0; i < many.size(); i++) {
                assertEquals(one.get(i % one.size()), all.get(i), "prompt " + i);
            }
        }
    }
}
