package dev.freshet.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.server.metrics.FreshetMetrics;
import dev.freshet.server.tools.DebianTools;
import dev.freshet.server.tools.DebianTools.Tool;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be validated of {@code deploy/} without a container engine: Prometheus's own checker
 * ({@code promtool}, Debian package) accepts the config and the alert rules, and the Grafana dashboard
 * parses and queries only metrics that a live server exports.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DeployConfigIT {

    private static final Pattern METRIC = Pattern.compile("freshet_[a-z_]+");
    /** A PromQL label matcher or template variable can hide a metric name's end; strip these to compare. */
    private static final Pattern SERIES = Pattern.compile("^(freshet_[a-z_]+)[{ ]", Pattern.MULTILINE);

    /**
     * Metrics that FreshetMetrics defines but that have no series on a fresh, healthy server, with why.
     * Each must still be defined (a # TYPE line would appear once fed); the check fails if one shows up
     * live, so the entry is removed once the server feeds it.
     */
    private static final Map<String, String> NOT_LIVE_HERE = Map.of("freshet_served_probe_perplexity_rise",
            "set at a gated promotion; the live server here promotes without a gate (MetricsIT checks its values)");

    @TempDir
    static Path dir;

    @Test
    void promtoolAcceptsThePrometheusConfigAndItsRules() {
        DebianTools.Resolved promtool = DebianTools.get(Tool.PROMTOOL);
        DebianTools.Result config = promtool.run(Duration.ofMinutes(1), "check", "config", DeployFiles.path("prometheus/prometheus.yml").toString());
        assertTrue(config.ok(), "promtool check config:\n" + config.output());
        assertTrue(config.output().contains("1 rule files found"), "the config loads rules.yml:\n" + config.output());
        DebianTools.Result rules = promtool.run(Duration.ofMinutes(1), "check", "rules", DeployFiles.path("prometheus/rules.yml").toString());
        assertTrue(rules.ok(), "promtool check rules:\n" + rules.output());
    }

    @Test
    void promtoolRejectsABrokenRule() throws Exception {
        // The check above is only worth something if promtool fails on a bad file.
        Path broken = dir.resolve("broken-rules.yml");
        Files.writeString(broken, Files.readString(DeployFiles.path("prometheus/rules.yml")).replaceFirst("expr: ", "expr: sum by (topic (\n          "));
        DebianTools.Result r = DebianTools.get(Tool.PROMTOOL).run(Duration.ofMinutes(1), "check", "rules", broken.toString());
        assertFalse(r.ok(), "promtool accepted a rule with unbalanced parentheses:\n" + r.output());
    }

    @Test
    void theKubernetesPrometheusRuleCarriesTheSameRules() throws Exception {
        String rules = Files.readString(DeployFiles.path("prometheus/rules.yml"));
        String expected = rules.substring(rules.indexOf("\ngroups:") + 1);
        String crd = Files.readString(DeployFiles.path("k8s/monitoring/prometheusrule.yaml"));
        String spec = crd.substring(crd.indexOf("\nspec:\n") + "\nspec:\n".length());
        String deIndented = spec.lines().map(l -> l.startsWith("  ") ? l.substring(2) : l).collect(Collectors.joining("\n", "", "\n"));
        assertEquals(expected, deIndented, "k8s/monitoring/prometheusrule.yaml drifted from prometheus/rules.yml; regenerate it (see its header)");
    }

    @Test
    void theDashboardQueriesOnlyMetricsALiveServerExports() throws Exception {
        JsonObject dashboard = new JsonObject(Files.readString(DeployFiles.path("grafana/freshet-dashboard.json")));
        Map<String, Set<String>> referenced = new TreeMap<>(); // metric -> panel titles
        collect(dashboard, "dashboard", referenced);
        assertTrue(referenced.size() >= 10, "the dashboard queries the freshet_ metrics: " + referenced.keySet());

        String metrics;
        try (LiveServer server = LiveServer.start(dir.resolve("freshet"))) {
            server.exercise("dash");
            metrics = server.get("/metrics").body();
        }
        Set<String> live = new TreeSet<>();
        Matcher m = SERIES.matcher(metrics);
        while (m.find()) {
            live.add(m.group(1));
        }
        Set<String> defined = new TreeSet<>();
        new FreshetMetrics().registry().scrape().forEach(snapshot -> {
            String name = snapshot.getMetadata().getPrometheusName();
            defined.add(name);
            defined.add(name + "_total"); // counters are named without the suffix in the registry
        });
        Set<String> missing = new TreeSet<>();
        referenced.forEach((name, panels) -> {
            if (NOT_LIVE_HERE.containsKey(name)) {
                assertTrue(defined.contains(name), name + " is not defined in FreshetMetrics");
                assertFalse(live.contains(name), name + " is live now: remove it from NOT_LIVE_HERE");
            } else if (!live.contains(name)) {
                missing.add(name + " (panels " + panels + ")");
            }
        });
        assertEquals(Set.of(), missing, "dashboard metrics with no series in a live /metrics; live freshet_ series: " + live);
    }

    /** Every freshet_ name in an {@code expr} (panel targets) or {@code query} (template variables), by panel title. */
    private static void collect(Object node, String panel, Map<String, Set<String>> out) {
        if (node instanceof JsonObject o) {
            String title = o.getValue("title") instanceof String t ? t : panel;
            for (String key : o.fieldNames()) {
                Object v = o.getValue(key);
                if ((key.equals("expr") || key.equals("query")) && v instanceof String s) {
                    Matcher m = METRIC.matcher(s);
                    while (m.find()) {
                        out.computeIfAbsent(m.group(), k -> new TreeSet<>()).add(title);
                    }
                } else {
                    collect(v, title, out);
                }
            }
        } else if (node instanceof JsonArray a) {
            a.forEach(v -> collect(v, panel, out));
        }
    }
}
