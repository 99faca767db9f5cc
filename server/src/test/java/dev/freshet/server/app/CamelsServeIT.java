package dev.freshet.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.model.Devices;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldDocument;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.server.http.HttpConfig;
import dev.freshet.server.serving.VersionInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --weighting camels}: documents train through the bundled meta-trained weighting model. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CamelsServeIT {

    @TempDir
    Path dir;

    @Test
    void aDocumentIsTrainedWithCamelsWeightsAndServed() throws Exception {
        WorldDocument doc = World.generate(1234, WorldSize.DEFAULT).documents().get(5);
        try (LanguageModel model = LanguageModel.loadDefault(Devices.select("cpu"));
                Freshet freshet = Freshet.start(Freshet.Options.defaults(dir, 0, HttpConfig.defaults().withHost("127.0.0.1").withPort(0))
                        .withTopics("cm", 1).withGate(Gates::none).withWeighting("camels", null)
                        .withTraining(s -> s.withBatching(8, Duration.ofMillis(100), 64)), model);
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        freshet.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            com.google.gson.JsonObject json = new com.google.gson.JsonObject();
            json.addProperty("id", "c1");
            json.addProperty("text", doc.text());
            producer.send(new ProducerRecord<>("cm.documents", "cam", json.toString().getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (freshet.registry().servedVersion("cam") < 1) {
                assertTrue(System.nanoTime() < deadline, "not served within 120 s");
                Thread.sleep(100);
            }
            VersionInfo v1 = freshet.registry().history("cam").orElseThrow().get(1);
            assertEquals("camels", v1.method(), "the version was trained by the camels document learner");
            String metrics = new String(freshet.metrics().scrape(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("freshet_adaptation_steps_total{method=\"camels\",tenant=\"cam\"}")
                    || metrics.contains("freshet_adaptation_steps_total{tenant=\"cam\",method=\"camels\"}"), "steps counted under camels");
        }
    }
}
