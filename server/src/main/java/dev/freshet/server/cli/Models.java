package dev.freshet.server.cli;

import dev.freshet.adaptation.model.Devices;
import dev.freshet.adaptation.model.LanguageModel;

import java.io.IOException;
import java.nio.file.Path;

/** Opens the model a command names: {@code --model DIR}, or the bundled default. */
final class Models {

    static final String OPTIONS_HELP = """
              --model DIR        Hugging Face style checkpoint folder (config.json, model.safetensors, tokenizer.json);
                                 default: the small model bundled in the jar
              --device NAME      auto | cpu | gpu (default auto)""";

    private Models() {}

    static LanguageModel open(Args a) throws IOException {
        var device = Devices.select(a.get("device", "auto"));
        if (a.has("model")) {
            return LanguageModel.load(Path.of(a.get("model", "")), device);
        }
        if (!LanguageModel.hasDefault()) {
            throw new IOException("this build bundles no default model: run bin/freshet pretrain, or pass --model DIR");
        }
        return LanguageModel.loadDefault(device);
    }
}
