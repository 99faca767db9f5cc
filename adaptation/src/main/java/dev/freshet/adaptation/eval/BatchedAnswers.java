package dev.freshet.adaptation.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.freshet.adaptation.editing.EditMetrics;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.Neighbor;
import dev.freshet.adaptation.world.QaFormat;
import dev.freshet.adaptation.world.QaPair;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy answers to many prompts at once: the fast path of {@link QaEval#answer} and
 * {@link EditMetrics#greedyAnswer}, which decode one prompt at a time.
 *
 * <p>Why: on 2 CPU cores one-at-a-time decoding of the default model costs 100–500 ms per question, mostly
 * per-call overhead, so an evaluation of a few thousand questions would not fit a 10-minute budget. Here up to
 * {@link #BATCH} prompts are right-padded into one [B, T] batch and the whole prefix is recomputed each new token
 * (no KV cache). Under the causal mask the padding after a sequence cannot change its positions, so each
 * sequence's next token is the argmax at its own last position: the same rule (first maximum, stop at EOS, at a
 * newline, at {@link QaEval#ANSWER_TOKENS} or at the context's end) as the reference, up to float rounding
 * between the two paths. {@code BatchedAnswersTest} compares both on a tiny model.
 *
 * <p>Shapes: B prompts in a chunk, T the longest current sequence, V vocab.
 */
public final class BatchedAnswers {

    /** Prompts decoded together; memory is B·T·V floats of logits, about 20 MB for the default model. */
    public static final int BATCH = 64;

    private BatchedAnswers() {}

    /** The trimmed greedy continuation of each prompt (prompts already in {@link QaFormat#prompt} form). */
    public static List<String> answers(LanguageModel model, Adaptation adaptation, List<String> prompts) {
        List<String> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += BATCH) {
            out.addAll(chunk(model, adaptation, prompts.subList(from, Math.min(prompts.size(), from + BATCH))));
        }
        return out;
    }

    /** Exact match and F1 of greedy answers, as {@link QaEval#evaluate} computes them. */
    public static QaEval.QaScore evaluate(LanguageModel model, Adaptation adaptation, List<QaPair> qa) {
        List<String> got = answers(model, adaptation, qa.stream().map(p -> QaFormat.prompt(p.question())).toList());
        double em = 0;
        double f1 = 0;
        for (int i = 0; i < qa.size(); i++) {
            em += QaEval.exactMatch(got.get(i), qa.get(i).answer()) ? 1 : 0;
            f1 += QaEval.f1(got.get(i), qa.get(i).answer());
        }
        int n = Math.max(1, qa.size());
        return new QaEval.QaScore(em / n, f1 / n, qa.size());
    }

    /** Efficacy, generalisation and locality with the definitions of {@link EditMetrics#measure}. */
    public static EditMetrics.Scores editScores(LanguageModel model, Adaptation adaptation, List<WorldEdit> edits) {
        List<String> prompts = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        List<Integer> kind = new ArrayList<>(); // 0 edit prompt, 1 paraphrase, 2 neighbor
        for (WorldEdit e : edits) {
            add(prompts, targets, kind, e.prompt(), e.target(), 0);
            e.paraphrases().forEach(p -> add(prompts, targets, kind, p, e.target(), 1));
            for (Neighbor n : e.neighbors()) {
                add(prompts, targets, kind, n.prompt(), n.target(), 2);
            }
        }
        List<String> got = answers(model, adaptation, prompts);
        int[] hits = new int[3];
        int[] counts = new int[3];
        for (int i = 0; i < got.size(); i++) {
            counts[kind.get(i)]++;
            hits[kind.get(i)] += QaEval.exactMatch(got.get(i), targets.get(i)) ? 1 : 0;
        }
        return new EditMetrics.Scores(ratio(hits[0], counts[0]), ratio(hits[1], counts[1]), ratio(hits[2], counts[2]), counts[0], counts[1], counts[2]);
    }

    private static void add(List<String> prompts, List<String> targets, List<Integer> kind, String prompt, String target, int k) {
        prompts.add(prompt);
        targets.add(target);
        kind.add(k);
    }

    private static double ratio(int n, int of) {
        return of == 0 ? Double.NaN : (double) n / of;
    }

    private static List<String> chunk(LanguageModel model, Adaptation adaptation, List<String> prompts) {
        int max = model.config().maxPositions();
        int eos = model.config().eosTokenId();
        int b = prompts.size();
        int[][] seq = new int[b][];
        int[] contextLength = new int[b];
        List<List<Integer>> generated = new ArrayList<>();
        String[] text = new String[b];
        boolean[] done = new boolean[b];
        for (int i = 0; i < b; i++) {
            int[] ids = model.encodeWithStart(prompts.get(i));
            // The same cut as LanguageModel.generate: keep the prompt's end, leave room for the answer.
            int keep = Math.max(1, Math.min(ids.length, max - QaEval.ANSWER_TOKENS));
            seq[i] = Arrays.copyOfRange(ids, ids.length - keep, ids.length);
            contextLength[i] = keep;
            generated.add(new ArrayList<>());
            text[i] = "";
        }
        for (int step = 0; step < QaEval.ANSWER_TOKENS; step++) {
            int[] active = java.util.stream.IntStream.range(0, b).filter(i -> !done[i]).toArray();
            if (active.length == 0) {
                break;
            }
            int[] next = nextTokens(model, adaptation, seq, active);
            for (int k = 0; k < active.length; k++) {
                int i = active[k];
                if (next[k] == eos) {
                    done[i] = true;
                    continue;
                }
                generated.get(i).add(next[k]);
                text[i] = model.tokenizer().decode(generated.get(i).stream().mapToInt(Integer::intValue).toArray());
                int nl = text[i].indexOf('\n');
                if (nl >= 0) {
                    text[i] = text[i].substring(0, nl);
                    done[i] = true;
                } else if (step + 1 == QaEval.ANSWER_TOKENS || contextLength[i] + generated.get(i).size() >= max) {
                    done[i] = true;
                } else {
                    seq[i] = Arrays.copyOf(seq[i], seq[i].length + 1);
                    seq[i][seq[i].length - 1] = next[k];
                }
            }
        }
        List<String> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            out.add(text[i].trim());
        }
        return out;
    }

    /** The argmax token at the last position of each active sequence, from one right-padded forward pass. */
    private static int[] nextTokens(LanguageModel model, Adaptation adaptation, int[][] seq, int[] active) {
        int t = 0;
        for (int i : active) {
            t = Math.max(t, seq[i].length);
        }
        long[] ids = new long[active.length * t]; // padding id 0: never seen by an earlier position
        for (int k = 0; k < active.length; k++) {
            for (int j = 0; j < seq[active[k]].length; j++) {
                ids[k * t + j] = seq[active[k]][j];
            }
        }
        long[] best;
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            NDArray x = m.create(ids, new Shape(active.length, t)); // [B, T]
            NDArray logits = model.logits(model.weights(), adaptation, x); // [B, T, V]
            best = logits.argMax(-1).toLongArray(); // [B, T]; PyTorch returns the first maximum, as Sampler does
        }
        int[] out = new int[active.length];
        for (int k = 0; k < active.length; k++) {
            out[k] = (int) best[k * t + seq[active[k]].length - 1];
        }
        return out;
    }
}
