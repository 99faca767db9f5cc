package dev.freshet.adaptation.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** How evaluations cut a stream: seeded samples and consecutive windows. */
public final class Slices {

    private Slices() {}

    /**
     * {@code n} items of {@code items} chosen by {@code seed}, kept in their original order (a document stream keeps
     * its time order); everything when {@code n >= items.size()}.
     */
    public static <T> List<T> sample(List<T> items, int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("sample size must be >= 0, got " + n);
        }
        if (n >= items.size()) {
            return List.copyOf(items);
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(seed));
        List<Integer> chosen = new ArrayList<>(idx.subList(0, n));
        Collections.sort(chosen);
        return chosen.stream().map(items::get).toList();
    }

    /** {@code items} in an order drawn by {@code seed} (for streams whose order carries no meaning, like fact edits). */
    public static <T> List<T> shuffled(List<T> items, long seed) {
        List<T> out = new ArrayList<>(items);
        Collections.shuffle(out, new Random(seed));
        return List.copyOf(out);
    }

    /** Consecutive windows of {@code size}; the last may be shorter. */
    public static <T> List<List<T>> windows(List<T> items, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("window size must be >= 1, got " + size);
        }
        List<List<T>> out = new ArrayList<>();
        for (int from = 0; from < items.size(); from += size) {
            out.add(List.copyOf(items.subList(from, Math.min(items.size(), from + size))));
        }
        return out;
    }

    /** The union of windows {@code [from, to)}, in order. */
    public static <T> List<T> concat(List<List<T>> windows, int from, int to) {
        List<T> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.addAll(windows.get(i));
        }
        return out;
    }
}
