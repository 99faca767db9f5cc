package dev.freshet.adaptation.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void constructorRejectsDataOfTheWrongLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Tensor(DType.F32, new long[] {2, 3}, new byte[20]));
        assertTrue(e.getMessage().contains("needs 24 bytes, got 20"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Tensor(DType.F16, new long[] {-1}, new byte[0]));
    }

    @Test
    void scalarAndEmptyShapes() {
        assertEquals(1, new Tensor(DType.F64, new long[0], new byte[8]).numel());
        assertEquals(0, new Tensor(DType.F32, new long[] {3, 0}, new byte[0]).numel());
    }

    @Test
    void shapeCannotBeChangedFromOutside() {
        long[] shape = {2, 2};
        Tensor t = Tensor.ofFloats(DType.F32, shape, new float[4]);
        shape[0] = 99;
        t.shape()[1] = 99;
        assertArrayEquals(new long[] {2, 2}, t.shape());
    }

    @Test
    void ofFloatsStoresLittleEndianBitsPerDtype() {
        float[] values = {1f, -2f};
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0},
                Tensor.ofFloats(DType.F32, new long[] {2}, values).data());
        assertArrayEquals(new byte[] {0, 0x3c, 0, (byte) 0xc0},
                Tensor.ofFloats(DType.F16, new long[] {2}, values).data());
        assertArrayEquals(new byte[] {(byte) 0x80, 0x3f, 0, (byte) 0xc0},
                Tensor.ofFloats(DType.BF16, new long[] {2}, values).data());
        assertArrayEquals(values, Tensor.ofFloats(DType.F64, new long[] {2}, values).toFloats());
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofFloats(DType.I32, new long[] {2}, values));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofFloats(DType.F32, new long[] {3}, values));
    }

    @Test
    void sixteenBitFloatsRoundOnceAndWidenExactly() {
        float[] values = {1f + 0x1p-11f, 65520f, 0.1f, Float.NaN, -0f};
        float[] half = Tensor.ofFloats(DType.F16, new long[] {5}, values).toFloats();
        assertEquals(1f, half[0]);
        assertEquals(Float.POSITIVE_INFINITY, half[1]);
        assertEquals(0.0999755859375f, half[2]); // nearest binary16 to 0.1
        assertTrue(Float.isNaN(half[3]));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(half[4]));

        float[] brain = Tensor.ofFloats(DType.BF16, new long[] {5}, values).toFloats();
        assertEquals(1f, brain[0]);
        assertEquals(65536f, brain[1]);
        assertEquals(0.10009765625f, brain[2]); // nearest bfloat16 to 0.1
        assertTrue(Float.isNaN(brain[3]));
    }

    @Test
    void withDTypeConvertsBetweenFloatFormats() {
        Tensor f32 = Tensor.ofFloats(DType.F32, new long[] {3}, new float[] {0.1f, 3.14159f, -70000f});
        assertSame(f32, f32.withDType(DType.F32));
        Tensor bf16 = f32.withDType(DType.BF16);
        assertEquals(Tensor.ofFloats(DType.BF16, new long[] {3}, f32.toFloats()), bf16);
        // BF16 -> F16 rounds the exact BF16 values once; -70000 is beyond the F16 range.
        Tensor f16 = bf16.withDType(DType.F16);
        assertEquals(DType.F16, f16.dtype());
        float[] expected = new float[3];
        for (int i = 0; i < 3; i++) {
            expected[i] = Float16.halfToFloat(Float16.floatToHalf(bf16.toFloats()[i]));
        }
        assertArrayEquals(expected, f16.toFloats());
        assertEquals(Float.NEGATIVE_INFINITY, f16.toFloats()[2]);
        assertArrayEquals(bf16.toFloats(), bf16.withDType(DType.F32).toFloats());
        assertThrows(IllegalArgumentException.class, () -> f32.withDType(DType.I64));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofLongs(new long[] {1}, new long[] {1})
                .withDType(DType.F32));
    }

    @Test
    void integerTensorsReadBackAsLongsAndFloats() {
        Tensor ids = Tensor.ofLongs(new long[] {2, 2}, new long[] {0, -1, Long.MAX_VALUE, 42});
        assertEquals(DType.I64, ids.dtype());
        assertArrayEquals(new long[] {0, -1, Long.MAX_VALUE, 42}, ids.toLongs());
        assertArrayEquals(new float[] {0, -1, 9.223372e18f, 42}, ids.toFloats());
        Tensor bytes = new Tensor(DType.U8, new long[] {2}, new byte[] {(byte) 255, 7});
        assertArrayEquals(new long[] {255, 7}, bytes.toLongs());
        Tensor signed = new Tensor(DType.I8, new long[] {2}, new byte[] {(byte) 255, 7});
        assertArrayEquals(new long[] {-1, 7}, signed.toLongs());
        Tensor flags = new Tensor(DType.BOOL, new long[] {3}, new byte[] {0, 1, 2});
        assertArrayEquals(new float[] {0, 1, 1}, flags.toFloats());
        Tensor i16 = new Tensor(DType.I16, new long[] {1}, new byte[] {(byte) 0xfe, (byte) 0xff});
        assertArrayEquals(new long[] {-2}, i16.toLongs());
        assertThrows(IllegalStateException.class, () -> Tensor.ofFloats(DType.F32, new long[0], new float[1])
                .toLongs());
    }

    @Test
    void equalityGoesByContent() {
        Tensor a = Tensor.ofFloats(DType.F16, new long[] {2}, new float[] {1f, 2f});
        Tensor b = Tensor.ofFloats(DType.F16, new long[] {2}, new float[] {1f, 2f});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, Tensor.ofFloats(DType.F16, new long[] {1, 2}, new float[] {1f, 2f}));
        assertNotEquals(a, Tensor.ofFloats(DType.BF16, new long[] {2}, new float[] {1f, 2f}));
        assertNotEquals(a, Tensor.ofFloats(DType.F16, new long[] {2}, new float[] {1f, 3f}));
        assertEquals("Tensor[F16 [2], 4 bytes]", a.toString());
        assertFalse(a.equals(null));
    }
}
