package dev.freshet.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.server.tools.DebianTools;
import dev.freshet.server.tools.DebianTools.Tool;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent Kafka client talks to the server's embedded broker: {@code kcat} (Debian package,
 * librdkafka) produces a document that the server trains into a served adapter version, and reads back
 * the dead letter of a malformed record with its reason header. {@link DebianTools} fetches kcat when it
 * is not installed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KcatIT {

    @TempDir
    static Path dataDir;

    private static LiveServer server;
    private static DebianTools.Resolved kcat;

    @BeforeAll
    static void start() throws Exception {
        kcat = DebianTools.get(Tool.KCAT);
        server = LiveServer.start(dataDir);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aDocumentProducedWithKcatBecomesAServedVersion() throws Exception {
        String doc = new JsonObject().put("id", "kcat-doc-1").put("text", "Kaxzek Kukpum moved to Tovrin, where Zelda Dynamics opened a lab.").encode();
        produce("kcat", doc);

        long version = server.awaitServed("kcat", 1);
        HttpResponse<String> history = server.get("/v1/adapters/kcat");
        assertEquals(200, history.statusCode(), history.body());
        JsonObject h = new JsonObject(history.body());
        assertEquals(version, h.getLong("served_version"));
        JsonArray versions = h.getJsonArray("versions");
        JsonObject served = versions.getJsonObject(versions.size() - 1);
        assertEquals("SERVING", served.getString("state"), history.body());
        assertEquals(1.0, served.getJsonObject("metrics").getDouble("train_records"), history.body());
        assertTrue(server.coveredDocumentIds("kcat").contains("kcat-doc-1"), "the served version's manifest covers the record kcat produced");
    }

    @Test
    void aMalformedRecordProducedWithKcatIsReadBackFromTheDeadLetterTopicWithItsReason() throws Exception {
        produce("kcat-dl", "{not json");

        // kcat -C -e reads to the end of every partition and exits; the letter may not be there yet.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String out = "";
        while (System.nanoTime() < deadline) {
            DebianTools.Result r = kcat.run(Duration.ofSeconds(30), "-C", "-b", server.bootstrap(), "-t", "freshet.dead-letter", "-o", "beginning",
                    "-e", "-q", "-f", "%k|%h|%s\\n");
            assertTrue(r.ok(), "kcat -C failed: " + r.output());
            out = r.output();
            for (String line : out.lines().toList()) {
                if (line.startsWith("kcat-dl|")) {
                    String[] parts = line.split("\\|", 3);
                    assertTrue(parts[1].contains("freshet.reason=malformed_json"), "reason header: " + line);
                    assertTrue(parts[1].contains("freshet.source.topic=freshet.documents"), "source topic header: " + line);
                    assertEquals("{not json", parts[2], "the dead letter keeps the original value byte for byte");
                    return;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no dead letter with key kcat-dl within 60 s; kcat -C read:\n" + out);
    }

    /** {@code kcat -P -k tenant}: one record, the value read from stdin. */
    private static void produce(String tenant, String value) throws Exception {
        Path log = Files.createTempFile(dataDir, "kcat", ".log");
        Process p = kcat.command("-P", "-b", server.bootstrap(), "-t", "freshet.documents", "-k", tenant).redirectOutput(log.toFile()).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((value + "\n").getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kcat -P did not finish within 60 s");
        assertEquals(0, p.exitValue(), "kcat -P failed: " + Files.readString(log));
    }
}
