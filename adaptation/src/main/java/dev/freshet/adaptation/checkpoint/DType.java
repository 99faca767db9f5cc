package dev.freshet.adaptation.checkpoint;

/**
 * Element types a safetensors file may declare, named exactly as they appear in the header's {@code "dtype"}
 * field. The 8-bit float formats and unsigned 16/32/64-bit integers of the full format are deliberately absent:
 * nothing in Freshet produces them, and reading a file that uses them fails with a message naming the tensor.
 */
public enum DType {
    F64(8, 12),
    F32(4, 11),
    F16(2, 7),
    BF16(2, 8),
    I64(8, 13),
    I32(4, 9),
    I16(2, 5),
    I8(1, 2),
    U8(1, 1),
    BOOL(1, 0);

    private final int byteSize;
    /**
     * Position of this type in the reference implementation's dtype list, which is ordered by alignment. The writer
     * sorts by it (descending) before the name, as the reference does, so every tensor in the buffer starts at a
     * multiple of its element size and our output matches the reference byte for byte.
     */
    private final int referenceRank;

    DType(int byteSize, int referenceRank) {
        this.byteSize = byteSize;
        this.referenceRank = referenceRank;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    int referenceRank() {
        return referenceRank;
    }

    /** Whether this is one of the floating point types. */
    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /**
     * The type with this exact header name ({@code "F32"}, {@code "BF16"}, ...).
     *
     * @throws IllegalArgumentException for null or a name this enum does not know, the message naming it
     */
    public static DType parse(String name) {
        if (name != null) {
            for (DType t : values()) {
                if (t.name().equals(name)) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("unsupported dtype \"" + name + "\" (supported: "
                + java.util.Arrays.toString(values()) + ")");
    }
}
