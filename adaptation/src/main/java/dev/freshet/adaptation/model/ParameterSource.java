package dev.freshet.adaptation.model;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * Where a forward pass reads its parameters by Hugging Face name.
 *
 * <p>Serving reads the frozen base {@link Weights}; pretraining reads fresh gradient-tracking leaves for
 * the same names ({@link #overlay}), so one forward pass serves both.
 */
@FunctionalInterface
public interface ParameterSource {

    /** The parameter called {@code name}; never null for a name the architecture lists. */
    NDArray get(String name);

    /** This source with some names answered by {@code overrides} instead. */
    default ParameterSource overlay(Map<String, NDArray> overrides) {
        return name -> {
            NDArray o = overrides.get(name);
            return o != null ? o : get(name);
        };
    }
}
