package dev.freshet.adaptation.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.freshet.adaptation.eval.QaEval;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.tokenizer.BpeTrainer;
import dev.freshet.adaptation.world.QaPair;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldSize;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled default model: present, reproducible from its seed, and knows its world. */
class DefaultModelTest {

    @Test
    void bundledModelIsPresentAndSmall() throws Exception {
        assertTrue(LanguageModel.hasDefault(), "the jar must bundle the default model");
        long bytes = LanguageModel.class.getResource(LanguageModel.DEFAULT_RESOURCE + "model.safetensors").openConnection().getContentLengthLong();
        assertTrue(bytes < 16L << 20, "default model is " + bytes + " bytes, over 16 MB");
    }

    @Test
    void bundledTokenizerIsWhatTheTrainerMakesFromTheSeed() throws Exception {
        try (LanguageModel m = LanguageModel.loadDefault(Device.cpu())) {
            World world = World.generate(PretrainConfig.DEFAULT.seed(), WorldSize.DEFAULT);
            String retrained = BpeTrainer.train(world.pretrainingTexts(), PretrainConfig.DEFAULT.vocabSize(), List.of(Pretrainer.EOS)).toJson();
            assertEquals(retrained, m.tokenizer().toJson(), "bin/freshet pretrain would not reproduce the bundled tokenizer");
        }
    }

    @Test
    void answersQuestionsAboutItsPretrainingWorld() throws Exception {
        try (LanguageModel m = LanguageModel.loadDefault(Device.cpu())) {
            World world = World.generate(PretrainConfig.DEFAULT.seed(), WorldSize.DEFAULT);
            List<QaPair> trained = world.pretrainingQa().subList(0, 30);
            List<QaPair> heldOut = world.heldOutQa().subList(0, 30);
            QaEval.QaScore t = QaEval.evaluate(m, Adaptation.NONE, trained);
            QaEval.QaScore h = QaEval.evaluate(m, Adaptation.NONE, heldOut);
            System.out.printf("default model: exact match %.2f on trained questions, %.2f on held-out questions%n", t.exactMatch(), h.exactMatch());
            assertTrue(t.exactMatch() >= 0.9, "trained-question exact match " + t.exactMatch());
            assertTrue(h.exactMatch() >= 0.5, "held-out-question exact match " + h.exactMatch());
            // The world is invented: a question about a name the world does not contain has no memorised answer.
            double known = m.score(QaFormat("Where was " + firstPerson(trained) + " born?"), " " + trained.get(0).answer(), Adaptation.NONE).total();
            assertTrue(known > -1.0, "log-probability of a memorised answer: " + known);
        }
    }

    private static String QaFormat(String q) {
        return dev.freshet.adaptation.world.QaFormat.prompt(q);
    }

    private static String firstPerson(List<QaPair> qa) {
        String q = qa.get(0).question();
        return q.substring("Where was ".length(), q.length() - " born?".length());
    }

    @Test
    void pretrainingIsDeterministicInTheSeed(@TempDir Path dir) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Pretrainer.run(PretrainConfig.TINY, WorldSize.TINY, dir.resolve("a"), Device.cpu(), quiet);
        Pretrainer.run(PretrainConfig.TINY, WorldSize.TINY, dir.resolve("b"), Device.cpu(), quiet);
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/model.safetensors")), Files.readAllBytes(dir.resolve("b/model.safetensors")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/tokenizer.json")), Files.readAllBytes(dir.resolve("b/tokenizer.json")));
    }
}
