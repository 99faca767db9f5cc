package dev.freshet.adaptation.camels;

import ai.djl.Device;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.checkpoint.SafeTensors;
import dev.freshet.adaptation.checkpoint.Tensor;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.model.ParamSpec;
import dev.freshet.adaptation.tokenizer.BpeTokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A saved {@link WeightingModel}: {@code weighting.safetensors} (φ by name, F32 or F16) and {@code weighting.json}
 * (format, backbone {@code config.json}, head width, β, whether it is normalised, and the SHA-256 of the tokenizer
 * it was trained with).
 *
 * <p>The tokenizer hash is checked on load: a weighting model reads the base model's token ids, so one trained
 * for another vocabulary would silently weight the wrong tokens. The default backbone (two blocks of the default
 * model, C=256, vocab 2048) is about 2.2 M values: 4.4 MB in F16, under the 8 MB budget.
 */
public final class WeightingModelFiles {

    /** The {@code format} written into both files. */
    public static final String FORMAT = "freshet-camels-weighting/1";

    private WeightingModelFiles() {}

    /** Writes both files into {@code dir} (created if needed). */
    public static void save(WeightingModel model, Path dir, DType dtype) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParamSpec p : model.specs()) {
            out.put(p.name(), Tensor.ofFloats(dtype, p.shape(), model.parameters().get(p.name()).toFloatArray()));
        }
        SafeTensors.write(dir.resolve("weighting.safetensors"), out, Map.of("format", FORMAT));
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.add("backbone", JsonParser.parseString(model.config().toJson()));
        o.addProperty("head_width", WeightingModel.HEAD_WIDTH);
        o.addProperty("softplus_beta", WeightingModel.BETA);
        o.addProperty("tokenizer_sha256", tokenizerHash(model.tokenizer()));
        o.addProperty("parameters", model.parameterCount());
        o.addProperty("dtype", dtype.name());
        o.addProperty("normalized", model.normalized());
        Files.writeString(dir.resolve("weighting.json"), new GsonBuilder().setPrettyPrinting().create().toJson(o), StandardCharsets.UTF_8);
    }

    /** Reads a model written by {@link #save}, for a base model whose tokenizer is {@code tokenizer}. */
    public static WeightingModel load(Path dir, BpeTokenizer tokenizer, Device device) throws IOException {
        return load(Files.readString(dir.resolve("weighting.json")), Files.readAllBytes(dir.resolve("weighting.safetensors")), dir.toString(), tokenizer,
                device);
    }

    /**
     * Reads a model from the contents of its two files (a folder or a classpath resource).
     *
     * @param source where the files came from, for error messages
     */
    public static WeightingModel load(String headerJson, byte[] safetensors, String source, BpeTokenizer tokenizer, Device device) throws IOException {
        ModelConfig cfg = parseHeader(headerJson, source, tokenizer, null);
        Map<String, Tensor> tensors = SafeTensors.read(safetensors).tensors();
        WeightingModel model = WeightingModel.initialize(tokenizer, cfg, 0, device);
        model.normalized(normalized(JsonParser.parseString(headerJson).getAsJsonObject()));
        try {
            model.assign(tensors);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw new IOException("weighting model " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks {@code dir/weighting.json} against a tokenizer (and a backbone, when {@code expected} is not null) and
     * returns the backbone config it names.
     */
    static ModelConfig readHeader(Path dir, BpeTokenizer tokenizer, ModelConfig expected) throws IOException {
        return parseHeader(Files.readString(dir.resolve("weighting.json")), dir.toString(), tokenizer, expected);
    }

    /** Whether the model saved in {@code dir} normalises its weights per document. */
    static boolean readNormalized(Path dir) throws IOException {
        return normalized(JsonParser.parseString(Files.readString(dir.resolve("weighting.json"))).getAsJsonObject());
    }

    /** Files written before the option existed hold a model that was never normalised. */
    private static boolean normalized(JsonObject header) {
        return header.has("normalized") && header.get("normalized").getAsBoolean();
    }

    private static ModelConfig parseHeader(String json, String dir, BpeTokenizer tokenizer, ModelConfig expected) throws IOException {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        if (!FORMAT.equals(o.get("format").getAsString())) {
            throw new IOException(dir + " is not a CaMeLS weighting model (format " + o.get("format") + ", expected " + FORMAT + ")");
        }
        if (o.get("head_width").getAsInt() != WeightingModel.HEAD_WIDTH || o.get("softplus_beta").getAsFloat() != WeightingModel.BETA) {
            throw new IOException(dir + " has head width " + o.get("head_width") + " and β " + o.get("softplus_beta")
                    + "; this build reads " + WeightingModel.HEAD_WIDTH + " and " + WeightingModel.BETA);
        }
        String hash = tokenizerHash(tokenizer);
        if (!hash.equals(o.get("tokenizer_sha256").getAsString())) {
            throw new IOException("weighting model " + dir + " was trained for another tokenizer (" + o.get("tokenizer_sha256").getAsString()
                    + "), not the base model's (" + hash + ")");
        }
        ModelConfig cfg = ModelConfig.fromJson(o.get("backbone").toString());
        if (expected != null && !cfg.equals(expected)) {
            throw new IOException("weighting model " + dir + " has backbone " + cfg + ", expected " + expected);
        }
        return cfg;
    }

    /** SHA-256 of the tokenizer's canonical {@code tokenizer.json}. */
    static String tokenizerHash(BpeTokenizer tokenizer) {
        try {
            byte[] json = tokenizer.toJson().getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
