package dev.freshet.adaptation.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Mean and sample standard deviation over seeds, NaNs left out. */
class SeedStatsTest {

    @Test
    void meanAndSampleStandardDeviation() {
        SeedStats s = SeedStats.of(List.of(1.0, 2.0, 3.0));
        assertEquals(2.0, s.mean(), 1e-12);
        assertEquals(1.0, s.spread(), 1e-12, "n − 1 denominator: sqrt((1 + 0 + 1) / 2)");
        assertEquals(3, s.n());
        assertEquals(Math.sqrt(0.5), SeedStats.of(List.of(0.5, 1.5)).spread(), 1e-12);
    }

    @Test
    void nanValuesAreLeftOutAndOneValueHasNoSpread() {
        SeedStats s = SeedStats.of(List.of(4.0, Double.NaN, 6.0));
        assertEquals(5.0, s.mean(), 1e-12);
        assertEquals(2, s.n());
        SeedStats one = SeedStats.of(List.of(0.25));
        assertEquals(0.25, one.mean());
        assertTrue(Double.isNaN(one.spread()));
        SeedStats none = SeedStats.of(List.of(Double.NaN));
        assertEquals(0, none.n());
        assertTrue(Double.isNaN(none.mean()));
    }
}
