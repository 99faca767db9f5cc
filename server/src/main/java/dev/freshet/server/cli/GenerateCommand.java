package dev.freshet.server.cli;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.Generation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.SamplingOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code generate}: continue a prompt, streaming the text as it is produced. */
final class GenerateCommand implements Command {

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "continue a prompt with the model (greedy by default)";
    }

    @Override
    public String help() {
        return """
            usage: bin/freshet generate --prompt TEXT [options]

            Continues TEXT and prints the continuation as it is generated, then a summary line on stderr.
            The bundled model answers questions about its world in the form "Q: <question>\\nA:".

              --prompt TEXT      the prompt (required); \\n in it is read as a newline
              --max-tokens N     new tokens at most (default 32)
              --temperature T    0 = greedy (default 0)
              --top-p P          nucleus sampling mass (default 1.0)
              --seed N           sampler seed (default 0)
              --stop S           stop at this string (may contain \\n)
              --adapter DIR      apply a saved adapter on top of the model
            """ + Models.OPTIONS_HELP;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("prompt", "max-tokens", "temperature", "top-p", "seed", "stop", "adapter", "model", "device");
    }

    @Override
    public int run(Args a) throws Exception {
        String prompt = a.require("prompt").replace("\\n", "\n");
        List<String> stop = new ArrayList<>();
        if (a.has("stop")) {
            stop.add(a.get("stop", "").replace("\\n", "\n"));
        }
        SamplingOptions opts = new SamplingOptions(a.getInt("max-tokens", 32), a.getFloat("temperature", 0f), a.getFloat("top-p", 1f),
                a.getLong("seed", 0), stop, true);
        try (LanguageModel model = Models.open(a); Adapter adapter = a.has("adapter") ? Adapter.load(Path.of(a.get("adapter", "")), model) : null) {
            Adaptation adaptation = adapter == null ? Adaptation.NONE : adapter.adaptation();
            long t0 = System.nanoTime();
            Generation g = model.generate(prompt, opts, adaptation, delta -> {
                System.out.print(delta);
                System.out.flush();
            });
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.println();
            System.err.printf("[%d prompt tokens, %d generated, finish=%s, %.1f tokens/s]%n", g.promptTokens(), g.tokens().length,
                    g.finishReason(), g.tokens().length / Math.max(secs, 1e-9));
        }
        return 0;
    }
}
