package dev.freshet.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.server.serving.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;

/** {@code bin/freshet serve --model DIR} comes up (embedded broker on a free port) and answers over HTTP. */
class ServeCommandIT {

    @TempDir
    Path dir;

    @Test
    void serveAnswersCompletionsOnTheGivenPort() throws Exception {
        Path model = dir.resolve("model");
        TestModels.model().save(model, DType.F32);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ServeCommand serve = new ServeCommand();
        String[] argv = {"serve", "--model", model.toString(), "--device", "cpu", "--data-dir", dir.resolve("data").toString(),
            "--http-host", "127.0.0.1", "--http-port", Integer.toString(port), "--kafka-port", "0"};
        // serve runs until the JVM shuts down; a daemon thread lets the test JVM exit (its shutdown hook then stops it).
        Thread t = new Thread(() -> {
            try {
                serve.run(Args.parse(argv, 1, serve.valuedOptions(), Set.of()));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, "serve-under-test");
        t.setDaemon(true);
        t.start();

        HttpClient client = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
        long deadline = System.nanoTime() + 60_000_000_000L;
        int status = -1;
        while (status != 200 && System.nanoTime() < deadline && t.isAlive()) {
            try {
                status = client.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        assertEquals(200, status, "serve became ready");
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"base\", \"prompt\": \"Q:\", \"max_tokens\": 3}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("0", r.headers().firstValue("X-Adapter-Version").orElse(""));
        assertTrue(r.body().contains("text_completion"));
    }
}
