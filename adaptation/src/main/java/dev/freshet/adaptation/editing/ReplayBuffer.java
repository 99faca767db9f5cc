package dev.freshet.adaptation.editing;

import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A bounded sample of earlier edits, replayed with every new window so breadth-first training keeps
 * them (LocFT replays the whole cumulative edit set, arXiv 2509.22072, sequential editing; bounding it keeps the cost
 * of a window flat as the stream grows).
 *
 * <p>Reservoir sampling (Vitter's algorithm R): after n distinct edits each one is held with probability
 * capacity / n, so old edits are not crowded out by recent ones. An edit whose prompt is already held
 * replaces the stale one in place: replaying a superseded target would train against the new one.
 */
public final class ReplayBuffer {

    private final int capacity;
    private final SplittableRandom rng;
    private final List<WorldEdit> held = new ArrayList<>();
    private long seen;

    public ReplayBuffer(int capacity, long seed) {
        if (capacity < 0) {
            throw new IllegalArgumentException("replay capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
        this.rng = new SplittableRandom(seed);
    }

    /** Offers one edit, after it has been trained. */
    public void offer(WorldEdit edit) {
        for (int i = 0; i < held.size(); i++) {
            if (held.get(i).prompt().equals(edit.prompt())) {
                held.set(i, edit);
                return;
            }
        }
        seen++;
        if (held.size() < capacity) {
            held.add(edit);
        } else if (capacity > 0) {
            long slot = rng.nextLong(seen);
            if (slot < capacity) {
                held.set((int) slot, edit);
            }
        }
    }

    public void offerAll(Collection<WorldEdit> edits) {
        edits.forEach(this::offer);
    }

    /** The held edits (a copy), at most {@link #capacity()}. */
    public List<WorldEdit> contents() {
        return List.copyOf(held);
    }

    public int size() {
        return held.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Distinct-prompt edits offered so far. */
    public long seen() {
        return seen;
    }
}
