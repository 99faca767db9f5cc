package dev.freshet.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.eval.QaEval;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.mwi.MwiSettings;
import dev.freshet.server.app.Freshet;
import dev.freshet.server.http.HttpConfig;
import dev.freshet.server.serving.GateVerdict;
import dev.freshet.server.serving.TestModels;
import dev.freshet.server.training.MwiScope;
import dev.freshet.server.training.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLayersTest {

    private static final Set<String> VALUED = Set.of("http-port", "data-dir", "role", "kafka", "config");
    private static final Set<String> FLAGS = Set.of("no-gate");

    @TempDir
    Path dir;

    private Args resolve(Map<String, String> env, String... argv) throws Exception {
        return ConfigLayers.resolve(Args.parse(argv, 0, VALUED, FLAGS), env, VALUED, FLAGS);
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws Exception {
        Path f = Files.writeString(dir.resolve("freshet.properties"), "http-port=1111\ndata-dir=/from/file\nrole=trainer\n");
        Args a = resolve(Map.of("FRESHET_HTTP_PORT", "2222", "FRESHET_ROLE", "server"), "--config", f.toString(), "--http-port", "3333");
        assertEquals(3333, a.getInt("http-port", 0));
        assertEquals("server", a.get("role", null));
        assertEquals("/from/file", a.get("data-dir", null));
    }

    @Test
    void theFileCanComeFromTheEnvironment() throws Exception {
        Path f = Files.writeString(dir.resolve("c.properties"), "kafka=broker:9093\n");
        assertEquals("broker:9093", resolve(Map.of("FRESHET_CONFIG", f.toString())).get("kafka", null));
    }

    @Test
    void kafkaClientPropertiesPassThroughFromFileAndEnvironment() throws Exception {
        Path f = Files.writeString(dir.resolve("c.properties"), "kafka.security.protocol=SASL_SSL\nkafka.sasl.mechanism=PLAIN\n");
        Args a = resolve(Map.of("FRESHET_KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512", "FRESHET_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION", "/ts.jks"),
                "--config", f.toString());
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "ssl.truststore.location", "/ts.jks"),
                a.withPrefix(ConfigLayers.KAFKA_PREFIX));
    }

    @Test
    void flagOptionsReadBooleans() throws Exception {
        Path on = Files.writeString(dir.resolve("on.properties"), "no-gate=true\n");
        assertTrue(resolve(Map.of(), "--config", on.toString()).has("no-gate"));
        assertFalse(resolve(Map.of("FRESHET_NO_GATE", "false")).has("no-gate"));
        assertTrue(resolve(Map.of("FRESHET_NO_GATE", "yes")).has("no-gate"));
        Path bad = Files.writeString(dir.resolve("bad.properties"), "no-gate=maybe\n");
        assertThrows(Args.UsageException.class, () -> resolve(Map.of(), "--config", bad.toString()));
    }

    @Test
    void anUnknownFileKeyOrAMissingFileIsAnErrorButUnknownVariablesAreIgnored() throws Exception {
        Path f = Files.writeString(dir.resolve("typo.properties"), "http_port=1\n");
        Args.UsageException e = assertThrows(Args.UsageException.class, () -> resolve(Map.of(), "--config", f.toString()));
        assertTrue(e.getMessage().contains("unknown key 'http_port'"), e.getMessage());
        assertThrows(Args.UsageException.class, () -> resolve(Map.of(), "--config", dir.resolve("absent").toString()));
        assertFalse(resolve(Map.of("FRESHET_ADMIN_TOKEN", "x", "FRESHET_NOPE", "1")).has("nope"));
    }

    @Test
    void gateThresholdsAreCheckedBeforeAnythingStarts() {
        ServeCommand serve = new ServeCommand();
        java.util.function.Function<String[], Object> options = argv -> ServeCommand.options(
                Args.parse(argv, 0, serve.valuedOptions(), serve.flagOptions()), dir, 0, dev.freshet.server.http.HttpConfig.defaults());
        assertThrows(IllegalArgumentException.class, () -> options.apply(new String[] {"--gate-max-exact-match-drop", "2"}));
        assertThrows(IllegalArgumentException.class, () -> options.apply(new String[] {"--gate-max-perplexity-rise", "-0.1"}));
        options.apply(new String[] {"--gate-max-perplexity-rise", "0.25", "--gate-max-exact-match-drop", "0.25"});
        options.apply(new String[] {"--gate-max-perplexity-rise-from-base", "off"});
        assertThrows(IllegalArgumentException.class, () -> options.apply(new String[] {"--gate-max-perplexity-rise-from-base", "-1"}));
    }

    /** {@code --gate-probes}: read at start (a bad line named), and the gate then measures exactly what the file holds. */
    @Test
    void gateProbesComeFromTheFile() throws Exception {
        ServeCommand serve = new ServeCommand();
        java.util.function.Function<String[], Freshet.Options> options = argv -> ServeCommand.options(
                Args.parse(argv, 0, serve.valuedOptions(), serve.flagOptions()), dir, 0, HttpConfig.defaults());
        Path bad = Files.writeString(dir.resolve("probes-bad.jsonl"), "{\"text\": \"fine\"}\n{\"answer\": \"x\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> options.apply(new String[] {"--gate-probes", bad.toString()}));
        assertTrue(e.getMessage().contains("gate-probes") && e.getMessage().contains("probes-bad.jsonl line 2"), e.getMessage());

        Path texts = Files.writeString(dir.resolve("probes.jsonl"), "{\"text\": \"" + TestModels.CORPUS.get(1) + "\"}\n");
        LanguageModel model = TestModels.model();
        try (Adapter v1 = TestModels.candidate(model, 1, 0.01f)) {
            GateVerdict v = options.apply(new String[] {"--gate-probes", texts.toString()}).gate().apply(model).evaluate(Adaptation.NONE, 0, v1.adaptation(), 1);
            assertEquals(QaEval.perplexity(model, Adaptation.NONE, List.of(TestModels.CORPUS.get(1))), v.scores().get("perplexity.served"), 1e-9);
            assertFalse(v.scores().containsKey("exact_match.served"), "the file has no questions: " + v.scores());
        }
    }

    @Test
    void trainingOptionsReachTheTrainingSettingsTogetherAndBadOnesFailBeforeAnythingStarts() {
        ServeCommand serve = new ServeCommand();
        java.util.function.Function<String[], TrainingSettings> training = argv -> ServeCommand.options(
                Args.parse(argv, 0, serve.valuedOptions(), serve.flagOptions()), dir, 0, HttpConfig.defaults())
                .training().apply(TrainingSettings.defaults(ModelConfig.Family.GPT2));
        assertFalse(training.apply(new String[0]).interpolates(), "MWI is off unless asked for");
        TrainingSettings on = training.apply(new String[] {"--mwi-tau", "0.9", "--mwi-every", "2", "--mwi-reset", "per-version"});
        assertEquals(new MwiSettings(0.9f, 2, MwiSettings.ResetPolicy.PER_WINDOW), on.mwi());
        assertThrows(IllegalArgumentException.class, () -> training.apply(new String[] {"--mwi-tau", "1.5"}));
        assertThrows(IllegalArgumentException.class, () -> training.apply(new String[] {"--mwi-tau", "0.9", "--mwi-every", "0"}));
        assertThrows(IllegalArgumentException.class, () -> training.apply(new String[] {"--mwi-reset", "sometimes"}));
        assertEquals(MwiScope.ALL, on.mwiScope(), "the slow copy follows every tensor unless asked otherwise");
        assertEquals(MwiScope.DOCUMENTS, training.apply(new String[] {"--mwi-tau", "0.98", "--mwi-scope", "documents"}).mwiScope());
        assertThrows(IllegalArgumentException.class, () -> training.apply(new String[] {"--mwi-tau", "0.98", "--mwi-scope", "edits"}));
        IllegalArgumentException scoped = assertThrows(IllegalArgumentException.class,
                () -> training.apply(new String[] {"--mwi-tau", "0.98", "--mwi-scope", "documents", "--edit-method", "ft-bf"}));
        assertTrue(scoped.getMessage().contains("training.mwi.scope") && scoped.getMessage().contains("ft-bf"), scoped.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServeCommand.options(Args.parse(new String[] {"--mwi-tau", "0.98", "--mwi-scope", "documents",
                "--edit-method", "locft-bf"}, 0, serve.valuedOptions(), serve.flagOptions()), dir, 0, HttpConfig.defaults()),
                "options refused together stop serve while it reads its options, before the broker starts");
        TrainingSettings all = training.apply(new String[] {"--lr", "0.002", "--mwi-tau", "0.5", "--edit-method", "locft-bf", "--edit-location", "h.1.mlp.c_proj"});
        assertEquals(0.002f, all.learningRate(), "each option changes its own setting and keeps the others'");
        assertEquals(0.5, all.mwi().tau(), 1e-9);
        assertEquals("locft-bf", all.editMethod());
        assertEquals("h.1.mlp.c_proj", all.editLocation());
        assertEquals("locft-keys", training.apply(new String[0]).editMethod(), "key-preconditioned LocFT-BF unless asked otherwise");
        assertEquals("ft-bf", training.apply(new String[] {"--edit-method", "ft-bf"}).editMethod());
        assertThrows(IllegalArgumentException.class, () -> training.apply(new String[] {"--edit-method", "rome"}));
        assertEquals(null, training.apply(new String[0]).editPreserve(), "the default model's questions unless a file is named");
        assertEquals(Path.of("keep.jsonl"), training.apply(new String[] {"--edit-preserve", "keep.jsonl", "--lr", "0.002"}).editPreserve());
    }
}
