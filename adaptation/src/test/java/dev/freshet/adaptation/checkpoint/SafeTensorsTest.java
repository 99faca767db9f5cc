package dev.freshet.adaptation.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsTest {

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ helpers building files by hand

    /** A file laid out as the format describes: 8-byte little-endian length, header JSON, payload. */
    private static byte[] file(String headerJson, byte[] payload) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return file(header.length, header, payload);
    }

    private static byte[] file(long declaredHeaderLength, byte[] header, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 8; i++) {
            out.write((int) (declaredHeaderLength >>> (8 * i)) & 0xff);
        }
        out.writeBytes(header);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** Random tensors of every dtype with random raw bytes, so NaN payloads and odd bit patterns are included. */
    private static Map<String, Tensor> randomTensors(Random random) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (DType dtype : DType.values()) {
            for (int i = 0; i < 3; i++) {
                long[] shape = new long[random.nextInt(4)];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = random.nextInt(5);
                }
                byte[] data = new byte[(int) Tensor.elementCount(shape) * dtype.byteSize()];
                random.nextBytes(data);
                tensors.put("layer." + random.nextInt(1000) + "." + dtype + "." + i, new Tensor(dtype, shape, data));
            }
        }
        tensors.put("weights.f16", Tensor.ofFloats(DType.F16, new long[] {4, 8}, randomFloats(random, 32)));
        tensors.put("weights.bf16", Tensor.ofFloats(DType.BF16, new long[] {8, 4}, randomFloats(random, 32)));
        tensors.put("weights.f32", Tensor.ofFloats(DType.F32, new long[] {32}, randomFloats(random, 32)));
        tensors.put("ids", Tensor.ofLongs(new long[] {3}, new long[] {random.nextLong(), -1, 0}));
        return tensors;
    }

    private static float[] randomFloats(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void encodeReadEncodeIsBitExactForRandomTensors() throws IOException {
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            Map<String, Tensor> tensors = randomTensors(random);
            byte[] encoded = SafeTensors.encode(tensors, Map.of("round", Integer.toString(round)));
            SafeTensors.Contents read = SafeTensors.read(encoded);
            assertEquals(tensors, read.tensors());
            assertArrayEquals(encoded, SafeTensors.encode(read.tensors(), read.metadata()));
        }
    }

    @Test
    void writeThenReadThroughAFile() throws IOException {
        Map<String, Tensor> tensors = randomTensors(new Random(1));
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, tensors, Map.of("format", "pt"));
        assertArrayEquals(SafeTensors.encode(tensors, Map.of("format", "pt")), Files.readAllBytes(file));
        SafeTensors.Contents read = SafeTensors.read(file);
        assertEquals(tensors, read.tensors());
        assertEquals(Map.of("format", "pt"), read.metadata());

        // Overwriting replaces the content and leaves no temp file behind.
        Map<String, Tensor> other = Map.of("only", Tensor.ofLongs(new long[] {1}, new long[] {5}));
        SafeTensors.write(file, other, null);
        assertEquals(other, SafeTensors.read(file).tensors());
        try (Stream<Path> listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList());
        }
    }

    @Test
    void writeIntoAMissingFolderFailsAndLeavesNothing() {
        Path file = dir.resolve("absent").resolve("model.safetensors");
        assertThrows(IOException.class, () -> SafeTensors.write(file, Map.of(), null));
        assertTrue(Files.notExists(dir.resolve("absent")));
    }

    @Test
    void readingAMissingFileFails() {
        assertThrows(NoSuchFileException.class, () -> SafeTensors.read(dir.resolve("nope.safetensors")));
    }

    @Test
    void readsFromAStream() throws IOException {
        Map<String, Tensor> tensors = Map.of("x", Tensor.ofFloats(DType.BF16, new long[] {2}, new float[] {1, 2}));
        byte[] encoded = SafeTensors.encode(tensors, null);
        assertEquals(tensors, SafeTensors.read(new ByteArrayInputStream(encoded)).tensors());
    }

    @Test
    void metadataRoundTripsWithAwkwardCharacters() throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("zeta", "last");
        metadata.put("format", "pt");
        metadata.put("note", "quote \" backslash \\ newline \n tab \t <html> & \u00fc\u00f1\u00ee \ud83c\udf89");
        metadata.put("empty", "");
        byte[] encoded = SafeTensors.encode(Map.of(), metadata);
        SafeTensors.Contents read = SafeTensors.read(encoded);
        assertEquals(metadata, read.metadata());
        // Written (and so read back) in sorted key order, whatever the map's own order.
        assertEquals(List.of("empty", "format", "note", "zeta"), new ArrayList<>(read.metadata().keySet()));
        Map<String, String> reversed = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(metadata.keySet());
        Collections.reverse(keys);
        keys.forEach(k -> reversed.put(k, metadata.get(k)));
        assertArrayEquals(encoded, SafeTensors.encode(Map.of(), reversed));
    }

    @Test
    void noMetadataReadsAsEmptyAndWritesNoMetadataKey() throws IOException {
        byte[] encoded = SafeTensors.encode(Map.of(), Map.of());
        // 8-byte length 8, then "{}" padded with six spaces.
        assertArrayEquals(file(8, "{}      ".getBytes(StandardCharsets.US_ASCII), new byte[0]), encoded);
        assertEquals(Map.of(), SafeTensors.read(encoded).metadata());
        assertArrayEquals(encoded, SafeTensors.encode(Map.of(), null));
    }

    // ------------------------------------------------------------------ the exact format

    @Test
    void readsAFileBuiltByHand() throws IOException {
        // Header order deliberately unsorted, with the metadata in the middle: reading keeps header order.
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"__metadata__\":{\"source\":\"hand\"},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[8,14]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,1],\"data_offsets\":[14,18]}}";
        byte[] payload = bytes(
                0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0, // F32 1.0, -2.5
                0x00, 0x3c, 0x00, 0x38, 0xff, 0xfb,             // F16 1.0, 0.5, -65504
                0x80, 0x3f, 0x00, 0xc0);                        // BF16 1.0, -2.0
        SafeTensors.Contents read = SafeTensors.read(file(header, payload));
        assertEquals(List.of("a", "h", "b"), new ArrayList<>(read.tensors().keySet()));
        assertEquals(Map.of("source", "hand"), read.metadata());

        Tensor a = read.tensors().get("a");
        assertEquals(DType.F32, a.dtype());
        assertArrayEquals(new long[] {2}, a.shape());
        assertArrayEquals(new float[] {1f, -2.5f}, a.toFloats());
        assertArrayEquals(new float[] {1f, 0.5f, -65504f}, read.tensors().get("h").toFloats());
        Tensor b = read.tensors().get("b");
        assertArrayEquals(new long[] {2, 1}, b.shape());
        assertArrayEquals(new float[] {1f, -2f}, b.toFloats());
    }

    @Test
    void writesTheExactReferenceLayout() {
        Map<String, Tensor> tensors = Map.of("x", Tensor.ofFloats(DType.F32, new long[] {1}, new float[] {1f}));
        String json = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertEquals(54, json.length());
        byte[] header = (json + "  ").getBytes(StandardCharsets.US_ASCII); // padded to 56, a multiple of 8
        assertArrayEquals(file(56, header, bytes(0x00, 0x00, 0x80, 0x3f)), SafeTensors.encode(tensors, null));
    }

    @Test
    void writerOrdersByAlignmentThenNameSoEveryTensorIsAligned() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("m", new Tensor(DType.BOOL, new long[] {3}, new byte[3]));
        tensors.put("b", Tensor.ofFloats(DType.F16, new long[] {1}, new float[] {1}));
        tensors.put("a", Tensor.ofFloats(DType.F16, new long[] {3}, new float[] {1, 2, 3}));
        tensors.put("c", Tensor.ofFloats(DType.F32, new long[] {1}, new float[] {1}));
        tensors.put("f", Tensor.ofFloats(DType.F64, new long[] {1}, new float[] {1}));
        tensors.put("z", Tensor.ofLongs(new long[] {1}, new long[] {1}));
        tensors.put("k", Tensor.ofFloats(DType.BF16, new long[] {1}, new float[] {1}));
        byte[] encoded = SafeTensors.encode(tensors, null);

        SafeTensors.Contents read = SafeTensors.read(encoded);
        assertEquals(List.of("z", "f", "c", "k", "a", "b", "m"), new ArrayList<>(read.tensors().keySet()));
        long headerLength = encoded.length - 8 - (8 + 8 + 4 + 2 + 6 + 2 + 3);
        assertEquals(0, headerLength % 8);
        JsonObject header = JsonParser.parseString(
                new String(encoded, 8, (int) headerLength, StandardCharsets.UTF_8)).getAsJsonObject();
        for (String name : tensors.keySet()) {
            long begin = header.getAsJsonObject(name).getAsJsonArray("data_offsets").get(0).getAsLong();
            assertEquals(0, begin % tensors.get(name).dtype().byteSize(), name + " aligned");
        }

        // Same content in another insertion order: same bytes.
        Map<String, Tensor> shuffled = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(tensors.keySet());
        Collections.shuffle(names, new Random(3));
        names.forEach(n -> shuffled.put(n, tensors.get(n)));
        assertArrayEquals(encoded, SafeTensors.encode(shuffled, null));
    }

    @Test
    void encodeRejectsTheReservedName() {
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.encode(Map.of("__metadata__", Tensor.ofLongs(new long[0], new long[1])), null));
    }

    // ------------------------------------------------------------------ malformed input

    @Test
    void fileShorterThanTheLengthFieldFails() {
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(bytes(1, 2, 3)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void fileTruncatedInsideTheDataFails() {
        byte[] whole = SafeTensors.encode(
                Map.of("w", Tensor.ofFloats(DType.F32, new long[] {4}, new float[] {1, 2, 3, 4})), null);
        IOException e = assertThrows(IOException.class,
                () -> SafeTensors.read(Arrays.copyOf(whole, whole.length - 3)));
        assertTrue(e.getMessage().contains("tensor 'w'") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void fileTruncatedInsideTheHeaderFails() {
        byte[] whole = SafeTensors.encode(Map.of("w", Tensor.ofLongs(new long[] {1}, new long[] {1})), null);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(Arrays.copyOf(whole, 20)));
        assertTrue(e.getMessage().contains("beyond the end of the file"), e.getMessage());
    }

    @Test
    void truncatedFileOnDiskNamesTheFile() throws IOException {
        Path file = dir.resolve("cut.safetensors");
        byte[] whole = SafeTensors.encode(Map.of("w", Tensor.ofLongs(new long[] {2}, new long[] {1, 2})), null);
        Files.write(file, Arrays.copyOf(whole, whole.length - 1));
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("tensor 'w'"),
                e.getMessage());
    }

    @Test
    void headerLengthBeyondTheFileFails() {
        byte[] header = "{}".getBytes(StandardCharsets.US_ASCII);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(file(1000, header, new byte[0])));
        assertTrue(e.getMessage().contains("header length 1000"), e.getMessage());
        // All 64 bits set: an unsigned length far beyond anything sane.
        IOException huge = assertThrows(IOException.class, () -> SafeTensors.read(file(-1L, header, new byte[0])));
        assertTrue(huge.getMessage().contains("18446744073709551615"), huge.getMessage());
    }

    static Stream<Arguments> malformedHeaders() {
        String f32 = "{\"w\":{\"dtype\":\"F32\",\"shape\":%s,\"data_offsets\":%s}}";
        return Stream.of(
                Arguments.of("unknown dtype",
                        "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}",
                        List.of("tensor 'w'", "F8_E4M3")),
                Arguments.of("offsets out of range", String.format(f32, "[2]", "[4,12]"),
                        List.of("tensor 'w'", "beyond the 8-byte data buffer")),
                Arguments.of("shape and size mismatch", String.format(f32, "[3]", "[0,8]"),
                        List.of("tensor 'w'", "need 12 bytes", "span 8")),
                Arguments.of("end before begin", String.format(f32, "[0]", "[8,0]"),
                        List.of("tensor 'w'", "end before they begin")),
                Arguments.of("offsets not a pair", String.format(f32, "[2]", "[0,8,8]"),
                        List.of("tensor 'w'", "[begin, end]")),
                Arguments.of("negative dimension", String.format(f32, "[-2]", "[0,8]"),
                        List.of("tensor 'w'", "negative")),
                Arguments.of("fractional dimension", String.format(f32, "[2.0]", "[0,8]"),
                        List.of("tensor 'w'", "2.0")),
                Arguments.of("shape overflow", String.format(f32, "[4294967296,4294967296]", "[0,8]"),
                        List.of("tensor 'w'", "overflows")),
                Arguments.of("missing shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}",
                        List.of("tensor 'w'", "\"shape\"")),
                Arguments.of("overlapping tensors",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        List.of("tensor 'v'", "overlaps tensor 'w'")),
                Arguments.of("duplicate tensor",
                        "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                                + "\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}",
                        List.of("tensor 'w'", "twice")),
                Arguments.of("tensor not an object", "{\"w\":[1,2]}", List.of("tensor 'w'", "must be an object")),
                Arguments.of("metadata value not a string", "{\"__metadata__\":{\"epoch\":3}}",
                        List.of("metadata \"epoch\"", "must be a string")),
                Arguments.of("header not an object", "[]", List.of("header must be a JSON object")),
                Arguments.of("invalid JSON", "{\"w\":{\"dtype\":", List.of("not valid JSON")),
                Arguments.of("trailing garbage", "{} x", List.of("not valid JSON")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaders")
    void malformedHeaderFailsNamingTheProblem(String problem, String header, List<String> expected) {
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(file(header, new byte[8])));
        for (String fragment : expected) {
            assertTrue(e.getMessage().contains(fragment), problem + ": \"" + fragment + "\" in " + e.getMessage());
        }
    }

    @Test
    void headerThatIsNotUtf8Fails() {
        byte[] header = bytes('{', '"', 0xc3, 0x28, '"', ':', '1', '}'); // 0xc3 0x28 is an invalid sequence
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(file(8, header, new byte[0])));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void gapsAndTrailingBytesAndEmptyTensorsAreAccepted() throws IOException {
        String header = "{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[5,5]}}";
        SafeTensors.Contents read = SafeTensors.read(file(header, bytes(9, 9, 9, 9, 1, 2, 9, 9)));
        assertArrayEquals(new long[] {1, 2}, read.tensors().get("w").toLongs());
        assertEquals(0, read.tensors().get("e").numel());
    }
}
