package dev.freshet.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The figures the verdicts rest on, against values worked out by hand. */
class FiguresTest {

    @Test
    void percentilesAreNearestRankSoEachIsAValueThatOccurred() {
        double[] v = IntStream.rangeClosed(1, 100).mapToDouble(i -> i).toArray();
        Stats s = Stats.of(v);
        assertEquals(50, s.p50());
        assertEquals(95, s.p95());
        assertEquals(99, s.p99());
        assertEquals(100, s.max());
        assertEquals(50.5, s.mean(), 1e-12);
        assertEquals(7, Stats.of(new double[] {7}).p99());
        assertEquals(0, Stats.of(new double[0]).count());
    }

    @Test
    void theilSenIgnoresASawtoothThatMovesLeastSquares() {
        // Flat memory with a garbage collector's sawtooth and one late spike: no trend.
        double[] x = IntStream.range(0, 60).mapToDouble(i -> i).toArray();
        double[] y = IntStream.range(0, 60).mapToDouble(i -> 500 + (i % 10) * 2 + (i == 58 ? 300 : 0)).toArray();
        assertEquals(0, Trend.theilSen(x, y), 0.25);
        assertTrue(Trend.leastSquares(x, y) > 0.5, "least squares is pulled by the spike");
        // A steady leak of 1.5 per step under the same sawtooth is found.
        double[] leak = IntStream.range(0, 60).mapToDouble(i -> 500 + 1.5 * i + (i % 10) * 2).toArray();
        assertEquals(1.5, Trend.theilSen(x, leak), 0.3);
        assertTrue(Double.isNaN(Trend.theilSen(new double[] {1}, new double[] {1})));
    }

    @Test
    void thirdsSeeABacklogGrowThroughTheSawtoothOfMicroBatches() {
        // Records every 0.25 s, served in batches every 2 s; each batch is served 1 s later than the last
        // would be at a steady pace: the backlog grows by 0.5 s per second.
        int n = 64;
        double[] produced = new double[n];
        double[] freshness = new double[n];
        for (int i = 0; i < n; i++) {
            produced[i] = i * 0.25;
            int batch = i / 8;
            double servedAt = (batch + 1) * 2.0 + batch * 1.0;
            freshness[i] = servedAt - produced[i];
        }
        assertEquals(0.5, Trend.thirds(produced, freshness), 0.1);
    }

    @Test
    void prometheusSamplesAreSummedByNameAndLabels() {
        String scrape = """
            # HELP jvm_memory_committed_bytes committed
            # TYPE jvm_memory_committed_bytes gauge
            jvm_memory_committed_bytes{area="heap"} 1.0E8
            jvm_memory_committed_bytes{area="nonheap"} 5.0E7
            jvm_memory_committed_bytes_other 9
            freshet_adaptation_steps_total{method="uniform",tenant="a"} 3.0
            freshet_adaptation_steps_total{method="locft-bf",tenant="a"} 4.0
            freshet_process_resident_memory_bytes 4.2E8
            """;
        assertEquals(1.5e8, Prometheus.sum(scrape, "jvm_memory_committed_bytes"));
        assertEquals(1e8, Prometheus.sum(scrape, "jvm_memory_committed_bytes", "area=\"heap\""));
        assertEquals(7, Prometheus.sum(scrape, "freshet_adaptation_steps_total"));
        assertEquals(4.2e8, Prometheus.sum(scrape, "freshet_process_resident_memory_bytes"));
        assertTrue(Double.isNaN(Prometheus.sum(scrape, "freshet_missing")));
    }

    @Test
    void tablesAlignNumbersRightAndTextLeft() {
        String t = new Table("stage", "p50 s").row("single", 0.8123).row("ramp 8/s", 12.5).render();
        assertEquals("""
            stage     p50 s
            --------  -----
            single     0.81
            ramp 8/s   12.5
            """, t);
    }
}
