package dev.freshet.adaptation.model;

import java.util.List;

/**
 * How to generate: how many tokens, how to pick each one, when to stop.
 *
 * @param maxTokens new tokens at most
 * @param temperature 0 for greedy decoding; otherwise logits are divided by it before sampling
 * @param topP nucleus sampling: sample among the smallest set of tokens whose probability reaches topP
 * @param seed seed of the sampler, so a sampled completion can be reproduced
 * @param stop strings that end generation (not included in the text)
 * @param useKvCache false recomputes the whole sequence each token: the naive reference for tests
 */
public record SamplingOptions(int maxTokens, float temperature, float topP, long seed, List<String> stop, boolean useKvCache) {

    public SamplingOptions {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
        }
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        stop = List.copyOf(stop);
    }

    /** Greedy decoding of up to {@code maxTokens} tokens. */
    public static SamplingOptions greedy(int maxTokens) {
        return new SamplingOptions(maxTokens, 0f, 1f, 0L, List.of(), true);
    }

    public SamplingOptions withStop(List<String> stops) {
        return new SamplingOptions(maxTokens, temperature, topP, seed, stops, useKvCache);
    }

    public SamplingOptions withKvCache(boolean use) {
        return new SamplingOptions(maxTokens, temperature, topP, seed, stop, use);
    }
}
