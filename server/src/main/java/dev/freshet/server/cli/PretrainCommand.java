package dev.freshet.server.cli;

import dev.freshet.adaptation.model.Devices;
import dev.freshet.adaptation.pretrain.PretrainConfig;
import dev.freshet.adaptation.pretrain.Pretrainer;
import dev.freshet.adaptation.world.WorldSize;

import java.nio.file.Path;
import java.util.Set;

/** {@code pretrain}: train the default model from the synthetic world. */
final class PretrainCommand implements Command {

    @Override
    public String name() {
        return "pretrain";
    }

    @Override
    public String summary() {
        return "train the small default model on the synthetic world (deterministic from the seed)";
    }

    @Override
    public String help() {
        PretrainConfig d = PretrainConfig.DEFAULT;
        return """
            usage: bin/freshet pretrain [--out DIR] [--steps N] [--device auto|cpu|gpu]

            Generates the world, fits a BPE vocabulary, initialises a GPT-2 family model from the seed and
            trains it with AdamW, printing progress; then writes config.json, model.safetensors (fp16),
            tokenizer.json and training.json to DIR. To bundle the result, write it to
            adaptation/src/main/resources/dev/freshet/adaptation/default-model and rebuild.

              --out DIR      output folder (default out/default-model)
              --steps N      optimizer steps (default %d)
              --seed N       seed (default %d)
              --device NAME  auto | cpu | gpu (default auto)
            Fixed settings: vocab %d, C=%d, L=%d, H=%d, context %d, %d×%d tokens per step, peak lr %.0e.
            """.formatted(d.steps(), d.seed(), d.vocabSize(), d.hidden(), d.layers(), d.heads(), d.positions(), d.batch(), d.seqLen(), d.lr());
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("out", "steps", "seed", "device");
    }

    @Override
    public int run(Args a) throws Exception {
        PretrainConfig d = PretrainConfig.DEFAULT;
        PretrainConfig cfg = new PretrainConfig(a.getLong("seed", d.seed()), d.vocabSize(), d.hidden(), d.layers(), d.heads(), d.positions(),
                d.seqLen(), d.batch(), a.getInt("steps", d.steps()), d.lr(), d.warmup(), d.evalEvery());
        Pretrainer.run(cfg, WorldSize.DEFAULT, Path.of(a.get("out", "out/default-model")), Devices.select(a.get("device", "auto")), System.out);
        return 0;
    }
}
