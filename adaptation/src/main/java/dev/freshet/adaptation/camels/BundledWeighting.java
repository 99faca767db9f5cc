package dev.freshet.adaptation.camels;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.freshet.adaptation.model.LanguageModel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The meta-trained CaMeLS weighting model bundled in the jar, next to the default base model: the {@code camels}
 * weighting of the online learner and of {@code bin/freshet eval} when nothing else is named.
 *
 * <p>A weighting model is meta-trained against one base model (its inner step adapts that model), so it is offered
 * only for the base whose weights file has the SHA-256 recorded in {@code training.json}: the bundled default
 * model. {@code training.json} also records how it was made (command, seed, steps, wall time on 2 cores and the
 * validation outer losses against uniform weights and no update), so the README's figures have a source.
 */
public final class BundledWeighting {

    /** Classpath folder: {@code weighting.json}, {@code weighting.safetensors} (F16) and {@code training.json}. */
    public static final String RESOURCE = "/dev/freshet/adaptation/default-weighting/";

    private BundledWeighting() {}

    /** True when this build bundles a weighting model. */
    public static boolean present() {
        return BundledWeighting.class.getResource(RESOURCE + "weighting.safetensors") != null;
    }

    /** True when the bundled weighting model was meta-trained against {@code base} (same weights file hash). */
    public static boolean fits(LanguageModel base) throws IOException {
        return present() && base.hash().equals(provenance().get("base_model_sha256").getAsString());
    }

    /** The bundled weighting model for {@code base} on its device, or empty when none was trained against it. */
    public static Optional<WeightingModel> openFor(LanguageModel base) throws IOException {
        if (!fits(base)) {
            return Optional.empty();
        }
        String header = new String(resource("weighting.json"), StandardCharsets.UTF_8);
        return Optional.of(WeightingModelFiles.load(header, resource("weighting.safetensors"), "bundled " + RESOURCE, base.tokenizer(),
                base.manager().getDevice()));
    }

    /** The bundled {@code training.json}: how the weighting model was made. */
    public static JsonObject provenance() throws IOException {
        return JsonParser.parseString(new String(resource("training.json"), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = BundledWeighting.class.getResourceAsStream(RESOURCE + name)) {
            if (in == null) {
                throw new IOException("the bundled weighting model is missing " + name + " (bin/freshet meta-train, then copy DIR/best)");
            }
            return in.readAllBytes();
        }
    }
}
