package dev.freshet.server.verticle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.Device;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.SamplingOptions;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldEdit;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.training.IntakeSettings;
import dev.freshet.server.training.LocalStoreSink;
import dev.freshet.server.training.TrainingEvents;
import dev.freshet.server.training.TrainingSettings;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.embedded.EmbeddedKafka;
import dev.freshet.streams.kafka.CommitAfterDurable;
import dev.freshet.streams.kafka.Topics;
import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.TenantId;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the bundled default model: an edit produced to Kafka becomes a stored version whose adapter
 * changes the model's greedy answer to the edit's prompt into the edit's target, with either edit learner.
 * For {@code ft-bf} it uses lr 3e-3 and five passes (the defaults are 1e-3 and eight) to keep the test to a
 * few seconds; {@code locft-bf} runs its own settings and stops once the edit is learned.
 */
@Timeout(180)
class EditLearningIT {

    private static final TenantId TENANT = new TenantId("acme");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"locft-bf", "locft-keys", "ft-bf"})
    void anEditChangesTheGreedyAnswerToItsPrompt(String learner) throws Exception {
        // The world the default model was pretrained on; its edits change facts the model knows.
        WorldEdit edit = World.generate(1234, WorldSize.DEFAULT).edits().get(0);
        Vertx vertx = Vertx.vertx();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
                KafkaFixture fixture = new KafkaFixture(kafka.bootstrapServers());
                LanguageModel model = LanguageModel.loadDefault(Device.cpu())) {
            String before = answer(model, Adaptation.NONE, edit.prompt());
            assertNotEquals(edit.target(), before, "the base model must not know the edit already");

            Topics topics = fixture.topics("e1", 1);
            byte[] value = new RecordCodec().encodeEdit(new EditRecord(edit.id(), edit.prompt(), edit.target()));
            fixture.send(topics.edits(), TENANT.value(), new String(value, StandardCharsets.UTF_8));
            TrainingSettings settings = TrainingSettings.defaults(model.config().family())
                    .withBatching(8, Duration.ofMillis(200), 64).withSchedule(3e-3f, 1, 5).withEditLearningRate(3e-3f).withEdits(learner, null);
            IntakeSettings intake = new IntakeSettings(kafka.bootstrapServers(), "it-e1", 100, Duration.ofMillis(50), Duration.ofMillis(100));
            AdapterStore store = new AdapterStore(dir.resolve("data"));
            long start = System.nanoTime();
            try (Pipeline p = new Pipeline(vertx, kafka.bootstrapServers(), topics, model, settings, store, new LocalStoreSink(store),
                    new CommitAfterDurable(), new CommitAfterDurable(), intake, TrainingEvents.NONE)) {
                KafkaFixture.await("a version with the edit", () -> {
                    try {
                        return store.versions(TENANT.value()).contains(1L);
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                });
            }
            assertEquals(learner, store.manifest(TENANT.value(), 1).method());
            System.out.printf(learner + ": edit produced to stored version in %.1f s; train_seconds %.2f, steps %.0f%n", (System.nanoTime() - start) / 1e9,
                    store.manifest(TENANT.value(), 1).metrics().get("train_seconds"), store.manifest(TENANT.value(), 1).metrics().get("train_steps"));
            try (Adapter v1 = store.load(TENANT.value(), 1, model)) {
                String after = answer(model, v1.adaptation(), edit.prompt());
                System.out.printf("'%s' base '%s' -> adapted '%s' (target '%s')%n", edit.prompt().replace("\n", "\\n"), before, after, edit.target());
                assertEquals(edit.target(), after);
                assertEquals(before, answer(model, Adaptation.NONE, edit.prompt()), "the base model itself is untouched");
            }
        } finally {
            Pipeline.await(vertx.close());
        }
    }

    private static String answer(LanguageModel model, Adaptation adaptation, String prompt) {
        SamplingOptions greedy = SamplingOptions.greedy(16).withStop(List.of("\n"));
        return model.generate(prompt, greedy, adaptation, null).text().trim();
    }
}
