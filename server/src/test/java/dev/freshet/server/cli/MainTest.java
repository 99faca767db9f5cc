package dev.freshet.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.tokenizer.BpeTrainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: help, mistakes, and real runs on a model folder. */
class MainTest {

    private String out;
    private String err;

    private int run(String... argv) {
        CliRun r = CliRun.of(argv);
        out = r.out();
        err = r.err();
        return r.code();
    }

    @Test
    void everyCommandPrintsItsHelp() {
        for (String c : List.of("generate", "score", "world", "pretrain", "info", "bench", "meta-train", "produce", "edit-locations", "serve", "demo")) {
            assertEquals(0, run(c, "--help"), c);
            assertTrue(out.contains("usage: bin/freshet " + c), c + " help: " + out);
        }
    }

    @Test
    void mistakesGiveAClearMessageAndExitCode2() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err.contains("unknown command 'frobnicate'"), err);
        assertEquals(2, run("generate", "--promt", "x"));
        assertTrue(err.contains("unknown option --promt"), err);
        assertEquals(2, run("generate"));
        assertTrue(err.contains("missing required option --prompt"), err);
        assertEquals(2, run("generate", "--prompt", "x", "--max-tokens", "many"));
        assertTrue(err.contains("--max-tokens must be an integer"), err);
    }

    @Test
    void generatesAndScoresWithAModelFolder(@TempDir Path dir) throws Exception {
        var tok = BpeTrainer.train(List.of("Q: Where was Kaxzek Kukpum born?\nA: Losax\n"), 300, List.of("<|endoftext|>"));
        var cfg = new ModelConfig(ModelConfig.Family.GPT2, tok.vocabSize(), 32, 2, 4, 4, 128, 64, 1e-5f, 0f, true, true, "gelu", -1, 0, "gpt2");
        try (LanguageModel m = LanguageModel.initialize("t", cfg, tok, 1, Device.cpu())) {
            m.save(dir, DType.F16);
        }
        assertEquals(0, run("generate", "--model", dir.toString(), "--prompt", "Q: Where\\n", "--max-tokens", "4", "--device", "cpu"));
        assertTrue(err.contains("generated"), err);
        assertEquals(0, run("score", "--model", dir.toString(), "--prompt", "Q:", "--continuation", " Losax"));
        assertTrue(out.startsWith("logprob -"), out);
        assertEquals(2, run("generate", "--model", dir.toString(), "--prompt", "x", "--device", "tpu"));
        assertTrue(err.contains("unknown device 'tpu'"), err);
    }

    @Test
    void writesTheWorld(@TempDir Path dir) throws Exception {
        assertEquals(0, run("world", "--out", dir.toString(), "--size", "tiny", "--seed", "3"));
        for (String f : List.of("documents.jsonl", "edits.jsonl", "pretrain.jsonl", "heldout_qa.jsonl")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
    }
}
