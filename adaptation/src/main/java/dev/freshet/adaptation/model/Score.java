package dev.freshet.adaptation.model;

/**
 * Log-probability of a continuation given a prompt: the total and one entry per continuation token.
 *
 * @param tokens the continuation's token strings, as the tokenizer split it
 */
public record Score(double total, float[] tokenLogprobs, String[] tokens) {

    /** Mean log-probability per token (0 for an empty continuation). */
    public double mean() {
        return tokenLogprobs.length == 0 ? 0 : total / tokenLogprobs.length;
    }
}
