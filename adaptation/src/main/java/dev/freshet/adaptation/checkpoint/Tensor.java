package dev.freshet.adaptation.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor as stored in a safetensors file: element type, shape (row-major) and the raw little-endian bytes.
 *
 * <p>Equality, hash code and string form go by content. The shape is copied in and out, but the data array is
 * not: checkpoints run to gigabytes and a copy per access would double their memory. Treat {@link #data()} as
 * read-only; changing it changes this tensor (and breaks its hash code).
 *
 * @param dtype element type
 * @param shape dimensions, each &gt;= 0; an empty shape is a scalar with one element
 * @param data  {@code numel() * dtype.byteSize()} bytes, little-endian
 */
public record Tensor(DType dtype, long[] shape, byte[] data) {

    /** Validates that the data length is exactly what dtype and shape call for. */
    public Tensor {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = Objects.requireNonNull(shape, "shape").clone();
        long expected;
        try {
            expected = Math.multiplyExact(elementCount(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " overflows a long", e);
        }
        if (expected != data.length) {
            throw new IllegalArgumentException(dtype + " tensor of shape " + Arrays.toString(shape) + " needs "
                    + expected + " bytes, got " + data.length);
        }
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public long numel() {
        return elementCount(shape);
    }

    /**
     * Product of the dimensions, rejecting negative ones.
     *
     * @throws IllegalArgumentException for a negative dimension
     * @throws ArithmeticException      if the product overflows a long
     */
    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * All elements widened or narrowed to float, in row-major order. 16-bit floats convert exactly; F64 and
     * 64/32-bit integers round to the nearest float; BOOL gives 0 or 1.
     */
    public float[] toFloats() {
        ByteBuffer in = littleEndian();
        // data.length < 2^31 bounds numel, so the int cast is safe.
        float[] out = new float[(int) numel()];
        switch (dtype) {
            case F32 -> in.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < out.length; i++) out[i] = (float) in.getDouble(); }
            case F16 -> { for (int i = 0; i < out.length; i++) out[i] = Float16.halfToFloat(in.getShort()); }
            case BF16 -> { for (int i = 0; i < out.length; i++) out[i] = Float16.bfloat16ToFloat(in.getShort()); }
            default -> {
                long[] values = toLongs();
                for (int i = 0; i < out.length; i++) out[i] = values[i];
            }
        }
        return out;
    }

    /**
     * All elements of an integer or BOOL tensor as longs, in row-major order (U8 is read unsigned, BOOL as 0/1).
     *
     * @throws IllegalStateException for a floating point tensor, which has no exact long form
     */
    public long[] toLongs() {
        ByteBuffer in = littleEndian();
        long[] out = new long[(int) numel()];
        switch (dtype) {
            case I64 -> in.asLongBuffer().get(out);
            case I32 -> { for (int i = 0; i < out.length; i++) out[i] = in.getInt(); }
            case I16 -> { for (int i = 0; i < out.length; i++) out[i] = in.getShort(); }
            case I8 -> { for (int i = 0; i < out.length; i++) out[i] = in.get(); }
            case U8 -> { for (int i = 0; i < out.length; i++) out[i] = in.get() & 0xff; }
            case BOOL -> { for (int i = 0; i < out.length; i++) out[i] = in.get() != 0 ? 1 : 0; }
            default -> throw new IllegalStateException("toLongs() needs an integer tensor, this one is " + dtype);
        }
        return out;
    }

    /**
     * A float tensor holding {@code values} in {@code dtype}: F32 and F64 are exact, F16 and BF16 round to nearest
     * even (see {@link Float16}).
     *
     * @throws IllegalArgumentException for a non-float dtype or a value count that does not match the shape
     */
    public static Tensor ofFloats(DType dtype, long[] shape, float[] values) {
        Objects.requireNonNull(dtype, "dtype");
        checkCount(shape, values.length);
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> out.asFloatBuffer().put(values);
            case F64 -> { for (float v : values) out.putDouble(v); }
            case F16 -> { for (float v : values) out.putShort(Float16.floatToHalf(v)); }
            case BF16 -> { for (float v : values) out.putShort(Float16.floatToBfloat16(v)); }
            default -> throw new IllegalArgumentException("ofFloats needs a float dtype, got " + dtype);
        }
        return new Tensor(dtype, shape, out.array());
    }

    /**
     * An I64 tensor holding {@code values}.
     *
     * @throws IllegalArgumentException if the value count does not match the shape
     */
    public static Tensor ofLongs(long[] shape, long[] values) {
        checkCount(shape, values.length);
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(values.length, Long.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.asLongBuffer().put(values);
        return new Tensor(DType.I64, shape, out.array());
    }

    /**
     * This tensor converted to another of F32, F16 and BF16 (this tensor itself if already of that type). Each
     * conversion rounds once: 16-bit values widen to float exactly before being narrowed.
     *
     * @throws IllegalArgumentException if either type is not one of F32, F16, BF16
     */
    public Tensor withDType(DType target) {
        if (target == dtype) {
            return this;
        }
        if (!isConvertible(dtype) || !isConvertible(target)) {
            throw new IllegalArgumentException("withDType converts between F32, F16 and BF16, not " + dtype
                    + " to " + target);
        }
        return ofFloats(target, shape, toFloats());
    }

    private static boolean isConvertible(DType t) {
        return t == DType.F32 || t == DType.F16 || t == DType.BF16;
    }

    private static void checkCount(long[] shape, int count) {
        long expected = elementCount(Objects.requireNonNull(shape, "shape"));
        if (expected != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + expected
                    + " elements, got " + count + " values");
        }
    }

    private ByteBuffer littleEndian() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        // ordinal rather than the enum's identity hash, so the value is the same in every JVM run.
        return 31 * (31 * dtype.ordinal() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    /** Type, shape and size; never the data, which can be gigabytes. */
    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Arrays.toString(shape) + ", " + data.length + " bytes]";
    }
}
