package dev.freshet.server.cli;

import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.adaptation.world.WorldWriter;

import java.nio.file.Path;
import java.util.Set;

/** {@code world}: write the synthetic knowledge world as JSONL. */
final class WorldCommand implements Command {

    @Override
    public String name() {
        return "world";
    }

    @Override
    public String summary() {
        return "write the synthetic world (pretraining corpus, documents, edits, held-out sets) as JSONL";
    }

    @Override
    public String help() {
        return """
            usage: bin/freshet world --out DIR [--seed N] [--size default|tiny]

            Writes documents.jsonl and edits.jsonl in the exact shapes the Kafka topics carry, plus
            document_questions.jsonl, pretrain.jsonl, pretrain_qa.jsonl, heldout_text.jsonl, heldout_qa.jsonl
            and world.json. The same seed always gives the same files.

              --out DIR      output folder (required)
              --seed N       world seed (default 1234, the bundled model's world)
              --size NAME    default | tiny (default: default)
            """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("out", "seed", "size");
    }

    @Override
    public int run(Args a) throws Exception {
        WorldSize size = switch (a.get("size", "default")) {
            case "default" -> WorldSize.DEFAULT;
            case "tiny" -> WorldSize.TINY;
            default -> throw new Args.UsageException("--size must be default or tiny");
        };
        Path out = Path.of(a.require("out"));
        World w = World.generate(a.getLong("seed", 1234L), size);
        WorldWriter.write(w, out);
        System.out.printf("wrote %s: %d pretraining texts, %d documents, %d edits, %d held-out questions%n", out,
                w.pretrainingTexts().size(), w.documents().size(), w.edits().size(), w.heldOutQa().size());
        return 0;
    }
}
