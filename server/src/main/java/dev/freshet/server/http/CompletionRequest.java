package dev.freshet.server.http;

import dev.freshet.adaptation.model.SamplingOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A validated {@code POST /v1/completions} body (OpenAI's legacy completions shape).
 *
 * <p>Supported: {@code model} (a tenant or {@code base}), {@code prompt} (a string), {@code max_tokens}
 * (default 16), {@code temperature} (default 1; 0 is greedy), {@code top_p} (default 1), {@code stop} (a
 * string or up to 4), {@code stream}, {@code logprobs} (any non-null, non-false value returns each chosen
 * token's log-probability; alternatives are not returned), {@code seed}. {@code n}, {@code best_of},
 * {@code echo} and {@code suffix} are refused unless they ask for the default; other fields are ignored.
 *
 * @param seed the sampler's seed: the request's, or a random one so sampled completions differ
 */
public record CompletionRequest(String model, String prompt, int maxTokens, float temperature, float topP, List<String> stop,
        boolean stream, boolean logprobs, long seed) {

    public CompletionRequest {
        stop = List.copyOf(stop);
    }

    static CompletionRequest from(JsonObject o, int maxTokensLimit) {
        String model = Fields.string(o, "model", null);
        if (!(o.getValue("prompt") instanceof String)) {
            throw Fields.invalid("prompt", "must be a string (arrays of prompts are not supported)");
        }
        String prompt = Fields.string(o, "prompt", "");
        int maxTokens = (int) Fields.integer(o, "max_tokens", 16, 1, maxTokensLimit);
        float temperature = (float) Fields.number(o, "temperature", 1.0, 0.0, 2.0);
        double topP = Fields.number(o, "top_p", 1.0, 0.0, 1.0);
        if (topP <= 0) {
            throw Fields.invalid("top_p", "must be greater than 0");
        }
        List<String> stop = Fields.strings(o, "stop", 4);
        boolean stream = Fields.bool(o, "stream", false);
        Object lp = o.getValue("logprobs");
        boolean logprobs = lp != null && !Boolean.FALSE.equals(lp);
        if (lp != null && !(lp instanceof Boolean) && !(lp instanceof Number)) {
            throw Fields.invalid("logprobs", "must be an integer or a boolean");
        }
        long seed = o.getValue("seed") == null ? ThreadLocalRandom.current().nextLong()
                : Fields.integer(o, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        refuseUnlessDefault(o, "n", 1);
        refuseUnlessDefault(o, "best_of", 1);
        refuseUnlessDefault(o, "echo", false);
        if (o.getValue("suffix") != null) {
            throw Fields.invalid("suffix", "is not supported");
        }
        return new CompletionRequest(model, prompt, maxTokens, temperature, (float) topP, stop, stream, logprobs, seed);
    }

    /** What the model needs; the KV cache is always on when serving. */
    public SamplingOptions sampling() {
        return new SamplingOptions(maxTokens, temperature, topP, seed, stop, true);
    }

    private static void refuseUnlessDefault(JsonObject o, String name, Object dflt) {
        Object v = o.getValue(name);
        if (v != null && !v.equals(dflt)) {
            throw Fields.invalid(name, "is not supported (only " + dflt + ")");
        }
    }
}
