package dev.freshet.adaptation.editing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.world.WorldEdit;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The replay buffer without a model: bound, supersession, uniform reservoir. */
class ReplayBufferTest {

    private static WorldEdit edit(int i, String target) {
        return new WorldEdit("e" + i, "Q: question " + i + "?\nA:", target, List.of(), List.of());
    }

    @Test
    void neverHoldsMoreThanItsCapacity() {
        ReplayBuffer r = new ReplayBuffer(16, 7);
        for (int i = 0; i < 1000; i++) {
            r.offer(edit(i, "x"));
            assertTrue(r.size() <= 16);
        }
        assertEquals(16, r.size());
        assertEquals(1000, r.seen());
    }

    @Test
    void aReEditReplacesTheStaleTarget() {
        ReplayBuffer r = new ReplayBuffer(4, 7);
        r.offer(edit(1, "old"));
        r.offer(edit(2, "b"));
        r.offer(edit(1, "new"));
        assertEquals(2, r.size());
        assertEquals("new", r.contents().get(0).target());
    }

    @Test
    void keepsOldEditsAsOftenAsRecentOnes() {
        // Over many seeds, the first 100 and the last 100 of 1000 edits are held about equally often
        // (a FIFO buffer would hold none of the first).
        int early = 0;
        int late = 0;
        for (long seed = 0; seed < 200; seed++) {
            ReplayBuffer r = new ReplayBuffer(50, seed);
            for (int i = 0; i < 1000; i++) {
                r.offer(edit(i, "x"));
            }
            for (WorldEdit e : r.contents()) {
                int i = Integer.parseInt(e.id().substring(1));
                early += i < 100 ? 1 : 0;
                late += i >= 900 ? 1 : 0;
            }
        }
        System.out.printf("held: first 100 edits %d times, last 100 %d times (expected ~1000 each)%n", early, late);
        assertTrue(early > 800 && late > 800, "early " + early + ", late " + late);
    }

    @Test
    void rejectsANegativeCapacity() {
        assertThrows(IllegalArgumentException.class, () -> new ReplayBuffer(-1, 0));
    }
}
