package dev.freshet.adaptation.model;

/**
 * A completion: its text, its token ids and the log-probability of each chosen token.
 *
 * @param finishReason {@code stop} (EOS or a stop string) or {@code length} (max tokens)
 */
public record Generation(String text, int[] tokens, float[] logprobs, int promptTokens, String finishReason) {}
