package dev.freshet.adaptation.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values of the tokens seen so far, one pair per layer, so each generated token costs one
 * position of compute instead of the whole prefix.
 *
 * <p>Shapes: k, v [B, Hkv, S, D] (before grouped-query repetition). The cache owns its arrays in its own
 * manager: each append builds the longer tensor inside the caller's step scope, then takes it out of that
 * scope and closes the shorter one, so a long generation holds one copy per layer.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** S, the number of positions cached. */
    public int length() {
        return length;
    }

    /**
     * Appends this step's keys and values for one layer and returns the full ones.
     *
     * @param k [B, Hkv, T, D]
     * @param v [B, Hkv, T, D]
     * @return {k, v} each [B, Hkv, S+T, D]
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        keys[layer] = extend(keys[layer], k);
        values[layer] = extend(values[layer], v);
        return new NDArray[] {keys[layer], values[layer]};
    }

    /** Called once per forward pass after every layer appended T positions. */
    void advance(int t) {
        length += t;
    }

    private NDArray extend(NDArray old, NDArray next) {
        NDArray full = old == null ? next.duplicate() : NDArrays.concat(new NDList(old, next), 2);
        NDScope.unregister(full);
        full.attach(manager);
        if (old != null) {
            old.close();
        }
        return full;
    }

    @Override
    public void close() {
        manager.close();
    }
}
