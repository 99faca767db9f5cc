package dev.freshet.adaptation.model;

import ai.djl.ndarray.NDArray;

/**
 * What an adapter adds to the base model during one forward pass: an extra output for some projections.
 *
 * <p>The base weights are never copied or modified: a projection computes its base output and then adds
 * {@code delta(module, x)} when it is non-null. LoRA adds {@code (x A^T) B^T · α/r}; a localized dense delta
 * adds {@code x ΔW}. Implementations live in {@code dev.freshet.adaptation.adapter}.
 */
@FunctionalInterface
public interface Adaptation {

    /** The base model alone. */
    Adaptation NONE = (module, x) -> null;

    /**
     * The adapter's extra output of one projection.
     *
     * @param module the projection's Hugging Face module name, e.g. {@code h.3.mlp.c_proj}
     * @param x the projection's input, shape [B, T, in]
     * @return the extra output [B, T, out], or null when this adapter does not touch the module
     */
    NDArray delta(String module, NDArray x);
}
