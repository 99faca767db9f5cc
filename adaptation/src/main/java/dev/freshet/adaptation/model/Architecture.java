package dev.freshet.adaptation.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.List;

/**
 * One model family: its parameters by Hugging Face name and its forward pass.
 *
 * <p>Picked from {@code model_type} by {@link #of}; a factory, not reflection, so a newcomer finds each
 * family's code in one file ({@link Gpt2Architecture}, {@link LlamaArchitecture}).
 */
public interface Architecture {

    /** The family for a config. */
    static Architecture of(ModelConfig config, NDManager constants) {
        return switch (config.family()) {
            case GPT2 -> new Gpt2Architecture(config);
            case LLAMA -> new LlamaArchitecture(config, constants);
        };
    }

    ModelConfig config();

    /** Every parameter the forward pass reads, in checkpoint order. */
    List<ParamSpec> parameters();

    /**
     * Logits of the next token at each new position.
     *
     * @param ids token ids [B, T] (int64)
     * @param cache past keys/values, or null for a full recomputation (positions then start at 0)
     * @return logits [B, T, V]
     */
    NDArray logits(ParameterSource params, Adaptation adaptation, NDArray ids, KvCache cache);

    /** Checkpoint names this family may carry but does not use (buffers, tied copies). */
    default boolean isIgnorable(String name) {
        return false;
    }
}
