package dev.freshet.server.cli;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.Score;

import java.nio.file.Path;
import java.util.Set;

/** {@code score}: log-probability of a continuation given a prompt. */
final class ScoreCommand implements Command {

    @Override
    public String name() {
        return "score";
    }

    @Override
    public String summary() {
        return "log-probability of a continuation given a prompt";
    }

    @Override
    public String help() {
        return """
            usage: bin/freshet score --prompt TEXT --continuation TEXT [options]

            Prints the total log-probability (natural log) of CONTINUATION after PROMPT, then one line per
            continuation token with its log-probability.

              --prompt TEXT        the conditioning text (may be empty; \\n is a newline)
              --continuation TEXT  the text to score (required)
              --adapter DIR        apply a saved adapter on top of the model
            """ + Models.OPTIONS_HELP;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("prompt", "continuation", "adapter", "model", "device");
    }

    @Override
    public int run(Args a) throws Exception {
        String prompt = a.get("prompt", "").replace("\\n", "\n");
        String cont = a.require("continuation").replace("\\n", "\n");
        try (LanguageModel model = Models.open(a); Adapter adapter = a.has("adapter") ? Adapter.load(Path.of(a.get("adapter", "")), model) : null) {
            Score s = model.score(prompt, cont, adapter == null ? Adaptation.NONE : adapter.adaptation());
            System.out.printf("logprob %.4f  (%d tokens, mean %.4f, perplexity %.2f)%n", s.total(), s.tokenLogprobs().length, s.mean(),
                    Math.exp(-s.mean()));
            for (int i = 0; i < s.tokens().length; i++) {
                System.out.printf("  %-20s %.4f%n", "'" + s.tokens()[i].replace("\n", "\\n") + "'", s.tokenLogprobs()[i]);
            }
        }
        return 0;
    }
}
