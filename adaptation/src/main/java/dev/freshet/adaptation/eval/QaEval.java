package dev.freshet.adaptation.eval;

import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.SamplingOptions;
import dev.freshet.adaptation.model.Score;
import dev.freshet.adaptation.world.QaFormat;
import dev.freshet.adaptation.world.QaPair;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Question answering and perplexity, the two measurements every evaluation reuses.
 *
 * <p>Answers are produced the way a user would get them: greedy decoding of the fixed QA prompt, stopped at
 * the end of the line. Exact match and F1 use SQuAD normalisation (lower case, no punctuation, no articles,
 * single spaces), as CaMeLS reports them.
 */
public final class QaEval {

    /** Longest answer generated, in tokens. */
    public static final int ANSWER_TOKENS = 16;

    private QaEval() {}

    /** Exact-match and F1 over a set of questions, as fractions in [0, 1]. */
    public record QaScore(double exactMatch, double f1, int n) {}

    /** The model's answer to one question. */
    public static String answer(LanguageModel model, Adaptation adaptation, String question) {
        SamplingOptions greedy = SamplingOptions.greedy(ANSWER_TOKENS).withStop(List.of("\n"));
        return model.generate(QaFormat.prompt(question), greedy, adaptation, null).text().trim();
    }

    /** Exact match and F1 of greedy answers. */
    public static QaScore evaluate(LanguageModel model, Adaptation adaptation, List<QaPair> qa) {
        double em = 0;
        double f1 = 0;
        for (QaPair p : qa) {
            String got = answer(model, adaptation, p.question());
            em += exactMatch(got, p.answer()) ? 1 : 0;
            f1 += f1(got, p.answer());
        }
        int n = Math.max(1, qa.size());
        return new QaScore(em / n, f1 / n, qa.size());
    }

    /** exp of the mean negative log-likelihood per token of the texts (each cut to the model's context). */
    public static double perplexity(LanguageModel model, Adaptation adaptation, List<String> texts) {
        int fit = model.config().maxPositions() - 1;
        List<String[]> pairs = new ArrayList<>();
        for (String t : texts) {
            int[] ids = model.tokenizer().encode(t);
            pairs.add(new String[] {"", ids.length <= fit ? t : model.tokenizer().decode(Arrays.copyOf(ids, fit - 8))});
        }
        double nll = 0;
        long tokens = 0;
        for (Score s : model.scoreBatch(pairs, adaptation)) {
            nll -= s.total();
            tokens += s.tokenLogprobs().length;
        }
        return Math.exp(nll / Math.max(1, tokens));
    }

    /** SQuAD-normalised equality. */
    public static boolean exactMatch(String prediction, String truth) {
        return normalize(prediction).equals(normalize(truth));
    }

    /** SQuAD token F1. */
    public static double f1(String prediction, String truth) {
        List<String> p = tokens(prediction);
        List<String> t = tokens(truth);
        if (p.isEmpty() || t.isEmpty()) {
            return p.equals(t) ? 1 : 0;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String w : t) {
            counts.merge(w, 1, Integer::sum);
        }
        int common = 0;
        for (String w : p) {
            Integer c = counts.get(w);
            if (c != null && c > 0) {
                common++;
                counts.put(w, c - 1);
            }
        }
        if (common == 0) {
            return 0;
        }
        double precision = (double) common / p.size();
        double recall = (double) common / t.size();
        return 2 * precision * recall / (precision + recall);
    }

    static String normalize(String s) {
        String lower = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        String noPunct = lower.replaceAll("[\\p{Punct}]", " ");
        String noArticles = noPunct.replaceAll("\\b(a|an|the)\\b", " ");
        return noArticles.trim().replaceAll("\\s+", " ");
    }

    private static List<String> tokens(String s) {
        String n = normalize(s);
        return n.isEmpty() ? List.of() : Arrays.asList(n.split(" "));
    }
}
