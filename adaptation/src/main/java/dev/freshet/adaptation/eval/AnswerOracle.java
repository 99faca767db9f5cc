package dev.freshet.adaptation.eval;

import dev.freshet.adaptation.camels.DocumentTokens;
import dev.freshet.adaptation.camels.TokenWeighting;
import dev.freshet.adaptation.world.QaPair;
import dev.freshet.adaptation.world.WorldDocument;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code oracle}: weight 1 on exactly the tokens of the answers a document's held-out questions ask for, 0 elsewhere
 * (its {@link AnswerShare} is 1). It reads the questions, so it is not a method: it bounds what any token weighting
 * can get out of the online step, which tells a weighting's miss apart from the online step's.
 */
final class AnswerOracle implements TokenWeighting {

    /** Per document text, which of its characters lie in an answer: made once, read for each of its windows. */
    private final Map<String, boolean[]> answerCharsByText = new HashMap<>();

    AnswerOracle(List<WorldDocument> documents) {
        for (WorldDocument d : documents) {
            answerCharsByText.put(d.text(), AnswerShare.answerChars(d.text(), d.questions().stream().map(QaPair::answer).toList()));
        }
    }

    @Override
    public String name() {
        return "oracle";
    }

    /** A text the oracle was not given gets all zeros (no step): it knows no answers for it. */
    @Override
    public float[] weights(DocumentTokens doc) {
        boolean[] answer = answerCharsByText.getOrDefault(doc.text(), new boolean[0]);
        float[] w = new float[doc.length()];
        for (int i = 1; i < w.length; i++) {
            w[i] = AnswerShare.covers(answer, doc.charStart()[i], doc.charEnd()[i]) ? 1f : 0f;
        }
        return w;
    }
}
