package dev.freshet.server.cli;

import ai.djl.engine.Engine;
import dev.freshet.adaptation.model.Devices;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;

import java.util.Set;

/** {@code info}: what this build runs on and with. */
final class InfoCommand implements Command {

    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "engine, device, and the model's shape and size";
    }

    @Override
    public String help() {
        return """
            usage: bin/freshet info [options]

            Prints the Java and libtorch versions, the devices libtorch sees, and the model's family, shape,
            parameter count and weights hash.
            """ + Models.OPTIONS_HELP;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("model", "device");
    }

    @Override
    public int run(Args a) throws Exception {
        Engine engine = Devices.engine();
        System.out.printf("java        %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vendor"));
        System.out.printf("engine      %s %s, %d GPU(s), %d CPU threads%n", engine.getEngineName(), engine.getVersion(), engine.getGpuCount(),
                Runtime.getRuntime().availableProcessors());
        try (LanguageModel m = Models.open(a)) {
            ModelConfig c = m.config();
            System.out.printf("model       %s (%s family, model_type %s)%n", m.id(), c.family(), c.modelType());
            System.out.printf("shape       vocab %d, hidden %d, layers %d, heads %d (kv %d), mlp %d, context %d%n", c.vocabSize(), c.hidden(),
                    c.layers(), c.heads(), c.kvHeads(), c.intermediate(), c.maxPositions());
            System.out.printf("parameters  %,d%n", m.weights().parameterCount());
            System.out.printf("device      %s%n", m.manager().getDevice());
            System.out.printf("sha256      %s%n", m.hash());
        }
        return 0;
    }
}
