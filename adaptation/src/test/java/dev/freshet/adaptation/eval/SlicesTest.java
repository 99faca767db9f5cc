package dev.freshet.adaptation.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** Windowing and seeded samples: the cuts every evaluation makes of a stream. */
class SlicesTest {

    private static final List<Integer> TEN = IntStream.range(0, 10).boxed().toList();

    @Test
    void windowsAreConsecutiveAndTheLastMayBeShort() {
        assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6, 7, 8), List.of(9)), Slices.windows(TEN, 3));
        assertEquals(List.of(TEN), Slices.windows(TEN, 10));
        assertEquals(List.of(), Slices.windows(List.of(), 4));
        assertThrows(IllegalArgumentException.class, () -> Slices.windows(TEN, 0));
        assertEquals(List.of(3, 4, 5, 6, 7, 8), Slices.concat(Slices.windows(TEN, 3), 1, 3));
    }

    @Test
    void samplesKeepStreamOrderAndDependOnlyOnTheSeed() {
        List<Integer> a = Slices.sample(TEN, 4, 7);
        assertEquals(4, a.size());
        List<Integer> sorted = new ArrayList<>(a);
        sorted.sort(null);
        assertEquals(sorted, a, "a sample keeps the stream's order");
        assertEquals(a, Slices.sample(TEN, 4, 7));
        assertNotEquals(a, Slices.sample(TEN, 4, 8), "another seed, another sample (for these seeds)");
        assertEquals(TEN, Slices.sample(TEN, 10, 7), "asking for everything gives everything");
        assertEquals(TEN, Slices.sample(TEN, 99, 7), "a sample is capped at what exists");
    }

    @Test
    void shuffledIsASeededPermutation() {
        List<Integer> s = Slices.shuffled(TEN, 3);
        assertEquals(s, Slices.shuffled(TEN, 3));
        assertNotEquals(TEN, s);
        List<Integer> back = new ArrayList<>(s);
        back.sort(null);
        assertEquals(TEN, back);
    }
}
