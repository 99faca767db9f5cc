package dev.freshet.streams.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.TenantId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlProducerTest {

    @TempDir
    Path dir;

    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final JsonlProducer jsonl = new JsonlProducer(producer, new RecordCodec(), Topics.withDefaultPrefix(), 200);

    @Test
    void producesValidLinesKeyedByTenantAndReportsRejectedLineNumbers() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(utf8("{\"id\":\"d1\",\"text\":\"Paris is in France.\"}\n"));   // 1 ok
        file.writeBytes(utf8("{\"id\":\"d2\",\"text\":\n"));                           // 2 malformed
        file.writeBytes(utf8("\n"));                                                  // 3 blank
        file.writeBytes(utf8("{\"id\":\"d3\",\"text\":\"Rome is in Italy.\"}\r\n"));    // 4 ok (CRLF)
        file.writeBytes(new byte[] {'{', '"', (byte) 0xFF, '"', '}', '\n'});          // 5 invalid UTF-8
        file.writeBytes(utf8("{\"id\":\"d4\",\"text\":\"" + "x".repeat(300) + "\"}\n")); // 6 too long
        file.writeBytes(utf8("{\"id\":\"d5\",\"text\":\" \"}"));                        // 7 empty, no final newline
        Path path = Files.write(dir.resolve("docs.jsonl"), file.toByteArray());

        JsonlProducer.Report report = jsonl.produce(path, JsonlProducer.Kind.DOCUMENTS, new TenantId("acme"));

        assertEquals(2, report.produced());
        assertEquals(4, report.rejected());
        assertEquals(1, report.blank());
        assertEquals(List.of(2L, 5L, 6L, 7L), report.rejectedLines().stream().map(JsonlProducer.RejectedLine::lineNumber).toList());
        assertEquals(List.of(Reason.MALFORMED_JSON, Reason.MALFORMED_JSON, Reason.TOO_LARGE, Reason.EMPTY_TEXT),
                report.rejectedLines().stream().map(JsonlProducer.RejectedLine::reason).toList());
        List<ProducerRecord<String, byte[]>> sent = producer.history();
        assertEquals(List.of("freshet.documents", "freshet.documents"), sent.stream().map(ProducerRecord::topic).toList());
        assertEquals(List.of("acme", "acme"), sent.stream().map(ProducerRecord::key).toList());
        assertArrayEquals(utf8("{\"id\":\"d3\",\"text\":\"Rome is in Italy.\"}"), sent.get(1).value());
        assertTrue(report.summary().contains("line 2: malformed_json"), report.summary());
    }

    @Test
    void producesEditsToTheEditsTopicUnderTheDefaultTenant() throws Exception {
        Path path = Files.writeString(dir.resolve("edits.jsonl"),
                "{\"id\":\"e1\",\"prompt\":\"p\",\"target\":\"t\"}\n{\"id\":\"e2\",\"prompt\":\"p\"}\n");
        JsonlProducer.Report report = jsonl.produce(path, JsonlProducer.Kind.fromCliName("edits"), TenantId.DEFAULT);
        assertEquals(1, report.produced());
        assertEquals(Reason.MISSING_FIELD, report.rejectedLines().get(0).reason());
        assertEquals("freshet.edits", producer.history().get(0).topic());
        assertEquals("default", producer.history().get(0).key());
    }

    @Test
    void stopsWhenTheBrokerRefuses() throws Exception {
        MockProducer<String, byte[]> failing = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        failing.sendException = new KafkaException("no broker");
        Path path = Files.writeString(dir.resolve("docs.jsonl"), "{\"id\":\"d1\",\"text\":\"t\"}\n");
        JsonlProducer failingJsonl = new JsonlProducer(failing, new RecordCodec(), Topics.withDefaultPrefix());
        assertThrows(KafkaException.class, () -> failingJsonl.produce(path, JsonlProducer.Kind.DOCUMENTS, TenantId.DEFAULT));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
