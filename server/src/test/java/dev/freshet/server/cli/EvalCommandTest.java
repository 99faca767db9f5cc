package dev.freshet.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.tokenizer.BpeTrainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval}: each evaluation runs end to end on a tiny model folder and a tiny world folder, prints its table, writes JSON. */
class EvalCommandTest {

    private static Path model(Path dir) throws Exception {
        var tok = BpeTrainer.train(List.of("Q: Where was Kaxzek Kukpum born?\nA: Losax\n", "Kaxzek Kukpum works at Losax Dynamics."), 300,
                List.of("<|endoftext|>"));
        var cfg = new ModelConfig(ModelConfig.Family.GPT2, tok.vocabSize(), 32, 2, 4, 4, 128, 64, 1e-5f, 0f, true, true, "gelu", -1, 0, "gpt2");
        Path m = dir.resolve("model");
        try (LanguageModel lm = LanguageModel.initialize("t", cfg, tok, 1, Device.cpu())) {
            lm.save(m, DType.F32);
        }
        return m;
    }

    @Test
    void helpAndMistakes() {
        CliRun help = CliRun.of("eval", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("usage: bin/freshet eval"), help.out());
        CliRun none = CliRun.of("eval");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("name one evaluation"), none.err());
        CliRun bogus = CliRun.of("eval", "bogus");
        assertEquals(2, bogus.code());
        assertTrue(bogus.err().contains("unknown evaluation 'bogus'"), bogus.err());
        CliRun two = CliRun.of("eval", "uptake", "edits");
        assertEquals(2, two.code());
        assertTrue(two.err().contains("name one evaluation"), two.err());
        CliRun option = CliRun.of("eval", "uptake", "--bogus", "1");
        assertEquals(2, option.code(), option.err());
        CliRun seeds = CliRun.of("eval", "uptake", "--seeds", "many");
        assertEquals(2, seeds.code(), seeds.err());
        assertTrue(seeds.err().contains("--seeds"), seeds.err());
    }

    @Test
    void badValuesAreUsageErrorsBeforeAnyWork(@TempDir Path dir) throws Exception {
        Path model = model(dir);
        CliRun data = CliRun.of("eval", "uptake", "--data", dir.resolve("nowhere").toString(), "--model", model.toString());
        assertEquals(2, data.code(), data.err());
        assertTrue(data.err().contains("is not a folder"), data.err());
        Path world = dir.resolve("world");
        assertEquals(0, CliRun.of("world", "--out", world.toString(), "--size", "tiny", "--seed", "3").code());
        CliRun zero = CliRun.of("eval", "uptake", "--seeds", "0", "--data", world.toString(), "--model", model.toString());
        assertEquals(2, zero.code(), zero.err());
        assertTrue(zero.err().contains("seeds must be >= 1"), zero.err());
        CliRun steps = CliRun.of("eval", "uptake", "--steps-per-doc", "0", "--data", world.toString(), "--model", model.toString());
        assertEquals(2, steps.code(), steps.err());
        assertTrue(steps.err().contains("steps per document >= 1"), steps.err());
        CliRun weighting = CliRun.of("eval", "uptake", "--weightings", "uniform,magic", "--data", world.toString(), "--model", model.toString());
        assertEquals(2, weighting.code(), weighting.err());
        assertTrue(weighting.err().contains("unknown token weighting 'magic'"), weighting.err());
        CliRun optimizer = CliRun.of("eval", "uptake", "--optimizer", "adam", "--data", world.toString(), "--model", model.toString());
        assertEquals(2, optimizer.code(), optimizer.err());
        assertTrue(optimizer.err().contains("optimizer must be adamw or sgd"), optimizer.err());
        CliRun location = CliRun.of("eval", "edits", "--location", "h.9.mlp.c_proj", "--data", world.toString(), "--model", model.toString());
        assertEquals(2, location.code(), location.err());
        assertTrue(location.err().contains("h.9.mlp.c_proj"), location.err());
        CliRun arms = CliRun.of("eval", "edits", "--arms", "locft,rome", "--data", world.toString(), "--model", model.toString());
        assertEquals(2, arms.code(), arms.err());
        assertTrue(arms.err().contains("unknown edits arm 'rome'"), arms.err());
    }

    @Test
    void everyEvaluationRunsOnFoldersAndWritesJson(@TempDir Path dir) throws Exception {
        Path model = model(dir);
        Path data = dir.resolve("world");
        assertEquals(0, CliRun.of("world", "--out", data.toString(), "--size", "tiny", "--seed", "3").code());
        List<List<String>> runs = List.of(
                List.of("uptake", "--quick", "--documents", "2", "--weightings", "none,uniform,salient-spans,tfidf,camels"),
                List.of("edits", "--quick", "--edits", "3", "--window", "2", "--epochs", "2", "--steps-per-edit", "3", "--location", "h.1.mlp.c_proj", "--arms",
                        "locft,df,precond", "--stop-loss", "0.1", "--replay", "1", "--key-ridge", "0.05", "--key-lr", "0.05"),
                List.of("forgetting", "--quick", "--windows", "2", "--docs-per-window", "1", "--edits-per-window", "1", "--epochs", "2", "--location",
                        "h.1.mlp.c_proj", "--first-seed", "3"));
        for (List<String> r : runs) {
            Path out = dir.resolve("eval-" + r.get(0) + ".json");
            List<String> argv = new java.util.ArrayList<>(List.of("eval"));
            argv.addAll(r);
            argv.addAll(List.of("--seeds", "2", "--model", model.toString(), "--data", data.toString(), "--device", "cpu", "--out", out.toString()));
            long start = System.nanoTime();
            CliRun run = CliRun.of(argv.toArray(String[]::new));
            System.out.printf("%s: %.1f s%n%s%n", r.get(0), (System.nanoTime() - start) / 1e9, run.err());
            assertEquals(0, run.code(), r + ": " + run.err());
            assertTrue(run.out().contains("wall time"), run.out());
            // --first-seed 3 --seeds 2 runs seeds 3 and 4, and the progress lines name them.
            boolean shifted = r.contains("--first-seed");
            assertTrue(run.err().contains(shifted ? " s] seed 3/4" : " s] seed 1/2"), "progress lines carry the elapsed time and seed: " + run.err());
            JsonObject o = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
            assertEquals(shifted ? "3" : "1", o.getAsJsonObject("settings").get("first_seed").getAsString());
            assertEquals(r.get(0), o.get("eval").getAsString());
            assertTrue(o.getAsJsonArray("rows").size() >= 2, r + " rows: " + o);
            for (var row : o.getAsJsonArray("rows")) {
                for (var metric : row.getAsJsonObject().getAsJsonObject("metrics").entrySet()) {
                    var mean = metric.getValue().getAsJsonObject().get("mean");
                    assertTrue(mean.isJsonNull() || Double.isFinite(mean.getAsDouble()), r + " " + metric.getKey());
                }
            }
            assertEquals(2, o.getAsJsonArray("rows").get(0).getAsJsonObject().getAsJsonObject("metrics").entrySet().iterator().next().getValue()
                    .getAsJsonObject().getAsJsonArray("values").size(), "one value per seed");
        }
        String edits = Files.readString(dir.resolve("eval-edits.json"));
        assertTrue(edits.contains("skipLoss=0.1") && edits.contains("replay=1") && !edits.contains("FT full layer") && edits.contains("LocFT-BF + key precond.")
                && edits.contains("lr 0.05, SGD momentum") && edits.contains("ridge 0.05"), "the edits options reach the run: " + edits);
        String uptake = Files.readString(dir.resolve("eval-uptake.json"));
        assertTrue(uptake.contains("camels (untrained)"), "a tiny model has no meta-trained weighting: the row says so");
    }
}
