package dev.freshet.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.server.app.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What deploy/ asks of {@code serve} exists: every {@code serve} command line in the compose file and the
 * Kubernetes manifests parses with serve's own options, and the ConfigMap's {@code freshet.properties}
 * passes serve's configuration check, so a typo there fails here and not in a pod that never starts.
 */
class DeployedServeArgsTest {

    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Pattern SERVE = Pattern.compile("\\[\\s*\"serve\"(.*?)]", Pattern.DOTALL);
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    @TempDir
    Path dir;

    @Test
    void everyServeCommandLineInDeployParses() throws Exception {
        ServeCommand serve = new ServeCommand();
        List<Path> files;
        try (Stream<Path> s = Files.walk(DEPLOY)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        int checked = 0;
        for (Path f : files) {
            Matcher m = SERVE.matcher(Files.readString(f));
            while (m.find()) {
                List<String> argv = new ArrayList<>(List.of("serve"));
                Matcher q = QUOTED.matcher(m.group(1));
                while (q.find()) {
                    argv.add(q.group(1));
                }
                Args a = Args.parse(argv.toArray(String[]::new), 1, serve.valuedOptions(), serve.flagOptions());
                assertTrue(a.positional().isEmpty(), f + ": stray words " + a.positional());
                if (a.has("role")) {
                    Role.parse(a.get("role", null));
                }
                checked++;
            }
        }
        assertTrue(checked >= 5, "found the serve command lines of compose and the manifests: " + checked);
    }

    @Test
    void theConfigMapsPropertiesAreKnownKeys() throws Exception {
        List<String> lines = Files.readAllLines(DEPLOY.resolve("k8s").resolve("configmap.yaml"));
        StringBuilder props = new StringBuilder();
        boolean inBlock = false;
        for (String line : lines) {
            if (line.strip().startsWith("freshet.properties: |")) {
                inBlock = true;
            } else if (inBlock && (line.startsWith("    ") || line.isBlank())) {
                props.append(line.strip()).append('\n');
            } else if (inBlock) {
                break;
            }
        }
        assertFalse(props.isEmpty(), "configmap.yaml has a freshet.properties block");
        Path file = Files.writeString(dir.resolve("freshet.properties"), props);
        ServeCommand serve = new ServeCommand();
        Map<String, String> read = ConfigLayers.readFile(file, serve.valuedOptions(), serve.flagOptions());
        assertEquals("freshet", read.get("topic-prefix"));
    }
}
