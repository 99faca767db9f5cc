package dev.freshet.server.cli;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.loadtest.Target;
import dev.freshet.server.app.Freshet;
import dev.freshet.server.app.Gates;
import dev.freshet.server.http.HttpConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The server a {@code bench} scenario loads when no {@code --url} is given: the whole {@link Freshet} stack,
 * as {@code serve} runs it (embedded broker, default training settings, the quality gate), on loopback and
 * free ports, over a temporary data dir that is deleted afterwards. Nothing of an earlier run is restored.
 */
final class BenchServer implements AutoCloseable {

    private final Path dataDir;
    private final Freshet freshet;

    private BenchServer(Path dataDir, Freshet freshet) {
        this.dataDir = dataDir;
        this.freshet = freshet;
    }

    /** @param gate whether versions pass the quality gate ({@code serve}'s default) or are all promoted ({@code --no-gate}) */
    static BenchServer start(LanguageModel model, boolean gate) throws Exception {
        Path dir = Files.createTempDirectory("freshet-bench-");
        try {
            HttpConfig http = HttpConfig.defaults().withHost("127.0.0.1").withPort(0);
            Freshet.Options options = Freshet.Options.defaults(dir, 0, http);
            return new BenchServer(dir, Freshet.start(gate ? options : options.withGate(Gates::none), model));
        } catch (Exception | Error e) {
            delete(dir);
            throw e;
        }
    }

    Target target() {
        return Target.of("http://127.0.0.1:" + freshet.httpPort() + "/", freshet.bootstrapServers(), freshet.topics().prefix());
    }

    @Override
    public void close() {
        try {
            freshet.close();
        } finally {
            delete(dataDir);
        }
    }

    /** Deletes {@code dir} and everything under it: a bench's temporary data. */
    static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the bench data dir " + dir, e);
        }
    }
}
