package dev.freshet.adaptation.camels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TF-IDF baseline of CaMeLS (arXiv 2305.15076 §4.2): a token's weight is the tf-idf of the word covering it,
 * kept only when it reaches a per-document quantile of the document's word scores, else 0.
 *
 * <p>tf is the word's share of the document's words; idf is {@code ln((1 + D) / (1 + df)) + 1} over a reference
 * corpus of D texts (the smoothed form, so a word the corpus never saw gets the largest idf rather than
 * infinity). Words are compared lower-cased. Kept weights are divided by their mean, so a document's kept tokens
 * average weight 1 and a learning rate tuned for {@code uniform} means about the same here.
 */
public final class TfIdfWeighting implements TokenWeighting {

    /** Keep the words scoring in the top quarter of their document. */
    public static final double DEFAULT_QUANTILE = 0.75;

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}'’-]*");

    private final Map<String, Integer> documentFrequency = new HashMap<>();
    private final int corpusSize;
    private final double quantile;

    /**
     * @param referenceCorpus texts to count document frequencies over
     * @param quantile in [0, 1): words below this quantile of their document's scores get weight 0
     */
    public TfIdfWeighting(List<String> referenceCorpus, double quantile) {
        if (!(quantile >= 0 && quantile < 1)) {
            throw new IllegalArgumentException("tf-idf quantile must be in [0, 1), got " + quantile);
        }
        for (String text : referenceCorpus) {
            Set<String> seen = new HashSet<>();
            Matcher m = WORD.matcher(text);
            while (m.find()) {
                seen.add(m.group().toLowerCase(Locale.ROOT));
            }
            seen.forEach(w -> documentFrequency.merge(w, 1, Integer::sum));
        }
        this.corpusSize = referenceCorpus.size();
        this.quantile = quantile;
    }

    @Override
    public String name() {
        return "tfidf";
    }

    /** Smoothed inverse document frequency of a (case-insensitive) word. */
    public double idf(String word) {
        int df = documentFrequency.getOrDefault(word.toLowerCase(Locale.ROOT), 0);
        return Math.log((1.0 + corpusSize) / (1.0 + df)) + 1.0;
    }

    @Override
    public float[] weights(DocumentTokens doc) {
        String text = doc.text();
        List<int[]> words = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            words.add(new int[] {m.start(), m.end()});
            counts.merge(m.group().toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        float[] w = new float[doc.length()];
        if (words.isEmpty()) {
            return w;
        }
        double[] score = new double[words.size()]; // per word occurrence
        for (int i = 0; i < score.length; i++) {
            String word = text.substring(words.get(i)[0], words.get(i)[1]).toLowerCase(Locale.ROOT);
            score[i] = (double) counts.get(word) / words.size() * idf(word);
        }
        double[] sorted = score.clone();
        Arrays.sort(sorted);
        double threshold = sorted[(int) Math.floor(quantile * (sorted.length - 1))];
        double keptSum = 0;
        int kept = 0;
        for (double s : score) {
            if (s >= threshold) {
                keptSum += s;
                kept++;
            }
        }
        double mean = keptSum / kept;
        // Words and tokens both run left to right: walk them together; a token takes the best word it overlaps.
        int first = 0;
        for (int t = 0; t < w.length; t++) {
            int from = doc.charStart()[t];
            int to = doc.charEnd()[t];
            if (from >= to) {
                continue;
            }
            while (first < words.size() && words.get(first)[1] <= from) {
                first++;
            }
            double best = 0;
            for (int i = first; i < words.size() && words.get(i)[0] < to; i++) {
                if (score[i] >= threshold) {
                    best = Math.max(best, score[i] / mean);
                }
            }
            w[t] = (float) best;
        }
        return w;
    }
}
