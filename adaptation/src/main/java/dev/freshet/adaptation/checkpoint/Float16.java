package dev.freshet.adaptation.checkpoint;

/**
 * Bit-level conversions between {@code float} and the two 16-bit float formats of model checkpoints: IEEE 754
 * binary16 ("half", F16: 1 sign, 5 exponent, 10 mantissa bits) and bfloat16 (BF16: the upper 16 bits of a float).
 *
 * <p>Widening to float is exact. Narrowing rounds to nearest, ties to even, like hardware and PyTorch do, so
 * converting here gives the same bits as converting on a GPU. Infinities, signed zeros and subnormals are kept; a
 * NaN stays a NaN of the same sign, keeping the top bits of its payload so that every 16-bit NaN survives a round
 * trip through float unchanged. (Java 17 has no {@code Float.floatToFloat16}; it arrived in Java 20.)
 */
public final class Float16 {

    private Float16() {
    }

    /** Exact float value of a binary16 bit pattern (only the low 16 bits are used). */
    public static float halfToFloat(short halfBits) {
        int h = halfBits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            // Infinity or NaN: widen the payload into the top of the float mantissa.
            return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal half: every one of them is a normal float. Shift the leading 1 up to the implicit-bit
            // position, lowering the exponent once per shift.
            exponent = 1;
            while ((mantissa & 0x400) == 0) {
                mantissa <<= 1;
                exponent--;
            }
            mantissa &= 0x3ff;
        }
        // Rebias the exponent from 15 to 127.
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The binary16 value nearest to {@code value}, ties to even; overflow gives infinity. */
    public static short floatToHalf(float value) {
        int f = Float.floatToRawIntBits(value);
        int sign = (f >>> 16) & 0x8000;
        int exponent = (f >>> 23) & 0xff;
        int mantissa = f & 0x7f_ffff;

        if (exponent == 0xff) {
            if (mantissa == 0) {
                return (short) (sign | 0x7c00);
            }
            // NaN: truncating the payload could leave it zero, which would read as infinity; fall back to the
            // quiet bit in that case.
            int payload = mantissa >>> 13;
            return (short) (sign | 0x7c00 | (payload == 0 ? 0x200 : payload));
        }

        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1f) {
            return (short) (sign | 0x7c00); // beyond 2^16: infinity whatever the mantissa
        }
        if (halfExponent <= 0) {
            // Result is subnormal (or zero). Values below 2^-25 (half the smallest subnormal) round to zero; this
            // also covers float zeros and float subnormals.
            if (halfExponent < -10) {
                return (short) sign;
            }
            int significand = mantissa | 0x80_0000; // restore the implicit leading 1
            int shift = 14 - halfExponent;          // 14..24: scales the significand to units of 2^-24
            int result = significand >>> shift;
            int remainder = significand & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (remainder > halfway || (remainder == halfway && (result & 1) != 0)) {
                result++; // may carry into 0x400, which is exactly the smallest normal half
            }
            return (short) (sign | result);
        }

        int result = (halfExponent << 10) | (mantissa >>> 13);
        int remainder = mantissa & 0x1fff;
        if (remainder > 0x1000 || (remainder == 0x1000 && (result & 1) != 0)) {
            result++; // a carry out of the mantissa bumps the exponent; from the largest finite it gives infinity
        }
        return (short) (sign | result);
    }

    /** Exact float value of a bfloat16 bit pattern (only the low 16 bits are used). */
    public static float bfloat16ToFloat(short bfloat16Bits) {
        return Float.intBitsToFloat((bfloat16Bits & 0xffff) << 16);
    }

    /** The bfloat16 value nearest to {@code value}, ties to even; overflow gives infinity. */
    public static short floatToBfloat16(float value) {
        int f = Float.floatToRawIntBits(value);
        if ((f & 0x7f80_0000) == 0x7f80_0000 && (f & 0x7f_ffff) != 0) {
            // NaN: rounding could carry the payload into the exponent, and truncating could leave it zero
            // (infinity). Truncate, and set the quiet bit if nothing of the payload is left.
            int upper = f >>> 16;
            return (short) ((upper & 0x7f) == 0 ? upper | 0x40 : upper);
        }
        // Adding just under half a unit, plus one more when the kept part is odd, rounds to nearest-even in a
        // single add. Carries run into the exponent as they should (the largest finite values round to infinity)
        // and cannot reach the sign bit, because NaNs were handled above.
        int roundingBias = 0x7fff + ((f >>> 16) & 1);
        return (short) ((f + roundingBias) >>> 16);
    }
}
