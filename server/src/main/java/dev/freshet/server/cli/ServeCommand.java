package dev.freshet.server.cli;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.server.http.HttpApiVerticle;
import dev.freshet.server.http.HttpConfig;
import dev.freshet.server.http.Readiness;
import dev.freshet.server.metrics.FreshetMetrics;
import dev.freshet.server.metrics.RegistryMetrics;
import dev.freshet.server.serving.AdapterRegistry;
import dev.freshet.server.serving.AdapterStore;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code serve}: the HTTP API over the model and the adapters in the data directory, until interrupted.
 * Kafka consumption and online adaptation join this command when the streams side lands; until then the
 * served adapters are those already in the store (and rollbacks among them).
 */
final class ServeCommand implements Command {

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "serve completions, scores and adapters over HTTP";
    }

    @Override
    public String help() {
        return """
            usage: bin/freshet serve [options]

            Serves the OpenAI-shaped HTTP API (POST /v1/completions, /v1/score; GET /v1/models,
            /v1/adapters/TENANT; POST /v1/adapters/TENANT/rollback; /health/live, /health/ready, /metrics)
            and restores every tenant's promoted adapter version from DIR/adapters. Stop with Ctrl-C.

              --http-port N        TCP port (default 8080)
              --http-host ADDR     address to bind (default 0.0.0.0)
              --data-dir DIR       adapter store and state (default ./freshet-data)
              --max-in-flight N    concurrent model requests before 429 (default 64)
              --max-body-bytes N   largest request body before 413 (default 1048576)
              --infer-threads N    threads running model calls (default 2)
            The admin token protecting rollback is read from the FRESHET_ADMIN_TOKEN environment variable
            (not an option, so it never shows in a process list); unset leaves admin routes open.
            """ + Models.OPTIONS_HELP;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("http-port", "http-host", "data-dir", "max-in-flight", "max-body-bytes", "infer-threads", "model", "device");
    }

    @Override
    public int run(Args a) throws Exception {
        HttpConfig http = HttpConfig.defaults().withHost(a.get("http-host", "0.0.0.0")).withPort(a.getInt("http-port", 8080))
                .withLimits(a.getLong("max-body-bytes", 1 << 20), a.getInt("max-in-flight", 64))
                .withInferenceThreads(a.getInt("infer-threads", 2)).withAdminToken(System.getenv("FRESHET_ADMIN_TOKEN"));
        Path dataDir = Path.of(a.get("data-dir", "freshet-data"));
        FreshetMetrics metrics = new FreshetMetrics();
        Readiness readiness = new Readiness();
        LanguageModel model = Models.open(a);
        AdapterRegistry registry = new AdapterRegistry(model, new AdapterStore(dataDir), new RegistryMetrics(metrics));
        int tenants = registry.restore();
        Vertx vertx = Vertx.vertx();
        HttpApiVerticle api = new HttpApiVerticle(http, registry, metrics, readiness, List.of());
        vertx.deployVerticle(api).await();
        readiness.ready();
        System.out.printf("freshet: serving %s (%d tenants restored from %s) on http://%s:%d%n", model.id(), tenants, dataDir.toAbsolutePath(),
                http.host(), api.actualPort());

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Refuse new model traffic first, then let in-flight requests finish as Vert.x closes.
            readiness.notReady("shutting down");
            vertx.close().await();
            registry.close();
            model.close();
            stopped.countDown();
        }, "freshet-shutdown"));
        stopped.await();
        return 0;
    }
}
