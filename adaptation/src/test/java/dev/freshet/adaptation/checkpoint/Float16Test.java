package dev.freshet.adaptation.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link Float16} against oracles written independently of it: half values computed with
 * {@link Math#scalb}, and rounding decided by comparing distances to the two neighbouring 16-bit values in double
 * arithmetic (exact for numbers this short).
 */
class Float16Test {

    /** Value of every non-negative half pattern 0x0000..0x7c00, with 0x7c00 (infinity) standing in as 2^16. */
    private static final double[] HALF_VALUES = new double[0x7c01];

    static {
        for (int bits = 0; bits < 0x7c00; bits++) {
            int exponent = bits >>> 10;
            int mantissa = bits & 0x3ff;
            HALF_VALUES[bits] = exponent == 0
                    ? Math.scalb((double) mantissa, -24)
                    : Math.scalb((double) (0x400 | mantissa), exponent - 25);
        }
        // Rounding up past the largest finite half (65504) gives infinity, exactly where 2^16 would be next.
        HALF_VALUES[0x7c00] = 65536.0;
    }

    /** Round-to-nearest-even half of a finite float, found by search over the table. */
    private static short oracleHalf(float value) {
        int sign = Float.floatToRawIntBits(value) < 0 ? 0x8000 : 0;
        double magnitude = Math.abs((double) value);
        if (magnitude >= 65536.0) {
            return (short) (sign | 0x7c00);
        }
        int lo = 0;
        int hi = 0x7c00;
        // Invariant: HALF_VALUES[lo] <= magnitude < HALF_VALUES[hi].
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (HALF_VALUES[mid] <= magnitude) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double below = magnitude - HALF_VALUES[lo];
        double above = HALF_VALUES[hi] - magnitude;
        int pick = below < above ? lo : above < below ? hi : ((lo & 1) == 0 ? lo : hi);
        return (short) (sign | pick);
    }

    /** Round-to-nearest-even bfloat16 of a finite float. */
    private static short oracleBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = bits & 0x8000_0000;
        int magnitudeBits = bits & 0x7fff_ffff;
        int lo = magnitudeBits >>> 16; // truncation: the neighbour toward zero
        int hi = lo + 1;
        double magnitude = Float.intBitsToFloat(magnitudeBits);
        double loValue = Float.intBitsToFloat(lo << 16);
        double hiValue = hi == 0x7f80 ? Math.scalb(1.0, 128) : Float.intBitsToFloat(hi << 16);
        double below = magnitude - loValue;
        double above = hiValue - magnitude;
        int pick = below < above ? lo : above < below ? hi : ((lo & 1) == 0 ? lo : hi);
        return (short) ((sign >>> 16) | pick);
    }

    private static String hex(int bits) {
        return String.format("0x%04x", bits & 0xffff);
    }

    @Test
    void everyHalfPatternWidensExactlyAndNarrowsBack() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            short half = (short) bits;
            float f = Float16.halfToFloat(half);
            int exponent = (bits >>> 10) & 0x1f;
            int mantissa = bits & 0x3ff;
            boolean negative = (bits & 0x8000) != 0;
            if (exponent == 0x1f && mantissa != 0) {
                assertTrue(Float.isNaN(f), hex(bits) + " is a NaN");
            } else if (exponent == 0x1f) {
                assertEquals(negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY, f, hex(bits));
            } else {
                double expected = HALF_VALUES[bits & 0x7fff] * (negative ? -1 : 1);
                assertEquals(expected, f, 0.0, hex(bits));
                // assertEquals treats 0.0 and -0.0 as equal; the sign must survive too.
                assertEquals(negative, Float.floatToRawIntBits(f) < 0, hex(bits) + " sign");
            }
            assertEquals(hex(bits), hex(Float16.floatToHalf(f)), "round trip of " + hex(bits));
        }
    }

    @Test
    void halfRoundsToNearestEvenOnHandPickedCases() {
        // Halfway between 1 (0x3c00, even) and 1 + 2^-10 (0x3c01): ties to the even one.
        assertEquals(hex(0x3c00), hex(Float16.floatToHalf(1f + 0x1p-11f)));
        // Halfway between 0x3c01 (odd) and 0x3c02: up to the even one.
        assertEquals(hex(0x3c02), hex(Float16.floatToHalf(1f + 3 * 0x1p-11f)));
        // Just above halfway goes up, just below goes down.
        assertEquals(hex(0x3c01), hex(Float16.floatToHalf(Math.nextUp(1f + 0x1p-11f))));
        assertEquals(hex(0x3c00), hex(Float16.floatToHalf(Math.nextDown(1f + 0x1p-11f))));
        // Largest finite half is 65504 (0x7bff); 65520 is halfway to "65536" and ties to infinity (even).
        assertEquals(hex(0x7bff), hex(Float16.floatToHalf(65504f)));
        assertEquals(hex(0x7bff), hex(Float16.floatToHalf(Math.nextDown(65520f))));
        assertEquals(hex(0x7c00), hex(Float16.floatToHalf(65520f)));
        assertEquals(hex(0xfc00), hex(Float16.floatToHalf(-1e10f)));
        // Subnormals: 2^-25 is halfway between 0 and the smallest subnormal 2^-24, so it goes to 0 (even).
        assertEquals(hex(0x0000), hex(Float16.floatToHalf(0x1p-25f)));
        assertEquals(hex(0x0001), hex(Float16.floatToHalf(Math.nextUp(0x1p-25f))));
        assertEquals(hex(0x0002), hex(Float16.floatToHalf(3 * 0x1p-25f)));
        assertEquals(hex(0x8000), hex(Float16.floatToHalf(-0x1p-30f)));
        // Halfway between the largest subnormal (0x03ff, odd) and the smallest normal (0x0400).
        assertEquals(hex(0x0400), hex(Float16.floatToHalf(0x1p-14f - 0x1p-25f)));
        assertEquals(hex(0x8000), hex(Float16.floatToHalf(-0f)));
        assertEquals(hex(0x7c00), hex(Float16.floatToHalf(Float.POSITIVE_INFINITY)));
    }

    @Test
    void halfKeepsEveryFloatNanANan() {
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            // Random sign and payload, including payloads that live only in the low 13 bits.
            int payload = 1 + random.nextInt(0x7f_ffff);
            if (i % 2 == 0) {
                payload &= 0x1fff;
                payload = payload == 0 ? 1 : payload;
            }
            int bits = (random.nextBoolean() ? 0x8000_0000 : 0) | 0x7f80_0000 | payload;
            short half = Float16.floatToHalf(Float.intBitsToFloat(bits));
            assertEquals(0x7c00, half & 0x7c00, "exponent all ones for " + Integer.toHexString(bits));
            assertTrue((half & 0x3ff) != 0, "NaN, not infinity, for " + Integer.toHexString(bits));
            assertEquals(bits < 0, half < 0, "sign kept for " + Integer.toHexString(bits));
        }
    }

    @Test
    void halfMatchesOracleAroundEveryMidpointAndOnRandomFloats() {
        for (int bits = 0; bits < 0x7c00; bits++) {
            // The midpoint of two neighbouring halves needs 12 significant bits, so it is an exact float.
            float midpoint = (float) ((HALF_VALUES[bits] + HALF_VALUES[bits + 1]) / 2);
            for (float f : new float[] {midpoint, Math.nextUp(midpoint), Math.nextDown(midpoint)}) {
                assertEquals(hex(oracleHalf(f)), hex(Float16.floatToHalf(f)), "value " + f);
                assertEquals(hex(oracleHalf(-f)), hex(Float16.floatToHalf(-f)), "value " + -f);
            }
        }
        Random random = new Random(11);
        for (int i = 0; i < 2_000_000; i++) {
            // Half of the draws anywhere, half with exponents around the binary16 range.
            int bits = i % 2 == 0
                    ? random.nextInt()
                    : (random.nextInt() & 0x807f_ffff) | ((96 + random.nextInt(50)) << 23);
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f)) {
                continue;
            }
            assertEquals(hex(oracleHalf(f)), hex(Float16.floatToHalf(f)), "bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void everyBfloat16PatternWidensExactlyAndNarrowsBack() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            float f = Float16.bfloat16ToFloat((short) bits);
            assertEquals(bits << 16, Float.floatToRawIntBits(f), hex(bits));
            boolean nan = (bits & 0x7f80) == 0x7f80 && (bits & 0x7f) != 0;
            assertEquals(nan, Float.isNaN(f), hex(bits));
            assertEquals(hex(bits), hex(Float16.floatToBfloat16(f)), "round trip of " + hex(bits));
        }
    }

    @Test
    void bfloat16RoundsToNearestEvenOnHandPickedCases() {
        // 1 + 2^-8 is halfway between 1 (0x3f80, even) and 1 + 2^-7 (0x3f81).
        assertEquals(hex(0x3f80), hex(Float16.floatToBfloat16(1f + 0x1p-8f)));
        assertEquals(hex(0x3f82), hex(Float16.floatToBfloat16(1f + 3 * 0x1p-8f)));
        assertEquals(hex(0x3f81), hex(Float16.floatToBfloat16(Math.nextUp(1f + 0x1p-8f))));
        assertEquals(hex(0x3f80), hex(Float16.floatToBfloat16(Math.nextDown(1f + 0x1p-8f))));
        // The largest float is past the halfway point to 2^128 and rounds to infinity.
        assertEquals(hex(0x7f80), hex(Float16.floatToBfloat16(Float.MAX_VALUE)));
        assertEquals(hex(0xff80), hex(Float16.floatToBfloat16(-Float.MAX_VALUE)));
        // Float subnormals round like everything else.
        assertEquals(hex(0x0000), hex(Float16.floatToBfloat16(Float.MIN_VALUE)));
        assertEquals(hex(0x8000), hex(Float16.floatToBfloat16(-0f)));
        // A NaN whose payload is all in the discarded bits must not become infinity, nor carry into the sign.
        short nan = Float16.floatToBfloat16(Float.intBitsToFloat(0x7f80_0001));
        assertTrue(Float.isNaN(Float16.bfloat16ToFloat(nan)), hex(nan));
        short bigPayload = Float16.floatToBfloat16(Float.intBitsToFloat(0x7fff_ffff));
        assertEquals(hex(0x7fff), hex(bigPayload));
    }

    @Test
    void bfloat16MatchesOracleOnRandomFloats() {
        Random random = new Random(13);
        for (int i = 0; i < 2_000_000; i++) {
            int bits = random.nextInt();
            if (i % 4 == 0) {
                bits = (bits & 0xffff_0000) | 0x8000; // an exact halfway case
            }
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f)) {
                continue;
            }
            assertEquals(hex(oracleBfloat16(f)), hex(Float16.floatToBfloat16(f)),
                    "bits " + Integer.toHexString(bits));
        }
    }
}
