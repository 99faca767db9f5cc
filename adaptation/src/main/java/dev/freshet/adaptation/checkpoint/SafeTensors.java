package dev.freshet.adaptation.checkpoint;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import com.google.gson.stream.MalformedJsonException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and writes the safetensors checkpoint format in plain Java (DJL's own decoder aborts the JVM on BF16).
 *
 * <p>A file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data buffer. The JSON maps
 * each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} with offsets relative to the buffer,
 * plus an optional {@code "__metadata__"} object of string values.
 *
 * <p>Writing follows the reference implementation, so the same content always gives the same bytes: tensors
 * ordered by descending dtype alignment and then by name (so every tensor starts at a multiple of its element
 * size), compact JSON, metadata keys sorted, header padded with spaces to a multiple of 8 bytes.
 *
 * <p>Reading validates everything before trusting it and reports each problem as an {@link IOException} naming the
 * file, the tensor and what is wrong. It is more lenient than the reference in one way: gaps or trailing bytes in
 * the buffer are accepted, as long as the tensors lie inside it and do not overlap.
 */
public final class SafeTensors {

    /** The tensors of a file in header order, and its {@code __metadata__} (empty if it had none). */
    public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents {
            Objects.requireNonNull(tensors, "tensors");
            Objects.requireNonNull(metadata, "metadata");
        }
    }

    /** Same cap as the reference reader: a header this big means a corrupt length field, not a real model. */
    static final long MAX_HEADER_BYTES = 100_000_000;
    private static final String METADATA_KEY = "__metadata__";
    /** Largest byte[] the JVM reliably allocates; a tensor beyond it cannot be held in a {@link Tensor}. */
    private static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private SafeTensors() {
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** Reads a whole file; tensor data is read with positional channel reads, the header validated first. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            return parse(new Source() {
                @Override
                public long size() {
                    return size;
                }

                @Override
                public void readFully(long position, byte[] target) throws IOException {
                    ByteBuffer buffer = ByteBuffer.wrap(target);
                    while (buffer.hasRemaining()) {
                        if (channel.read(buffer, position + buffer.position()) < 0) {
                            throw new EOFException(file + ": file shrank while being read");
                        }
                    }
                }
            }, file.toString());
        }
    }

    /** Reads a file held in memory. */
    public static Contents read(byte[] fileBytes) throws IOException {
        return parseArray(fileBytes, "safetensors bytes");
    }

    /**
     * Reads a file from a stream (a classpath resource, say), consuming it to the end. The whole stream is
     * buffered, so it must fit in one array (under 2 GiB); use {@link #read(Path)} for large checkpoints.
     */
    public static Contents read(InputStream in) throws IOException {
        return parseArray(in.readAllBytes(), "safetensors stream");
    }

    private static Contents parseArray(byte[] bytes, String origin) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        return parse(new Source() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public void readFully(long position, byte[] target) {
                System.arraycopy(bytes, (int) position, target, 0, target.length);
            }
        }, origin);
    }

    /** Random access to the bytes being read, so that files and arrays share one parser. */
    private interface Source {
        long size();

        void readFully(long position, byte[] target) throws IOException;
    }

    /** A tensor's header entry, before its data is read. */
    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    private record Header(List<Entry> entries, Map<String, String> metadata) {
    }

    private static Contents parse(Source source, String origin) throws IOException {
        long size = source.size();
        if (size < 8) {
            throw failure(origin, "truncated: " + size + " bytes, too short for the 8-byte header length");
        }
        byte[] lengthField = new byte[8];
        source.readFully(0, lengthField);
        long headerLength = ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN).getLong();
        // The field is unsigned; a negative long here is a length of 2^63 or more.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw failure(origin, "header length " + Long.toUnsignedString(headerLength) + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes (corrupt length field?)");
        }
        if (headerLength > size - 8) {
            throw failure(origin, "header length " + headerLength + " is beyond the end of the file: only "
                    + (size - 8) + " bytes follow the length field (truncated file?)");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        source.readFully(8, headerBytes);
        Header header = parseHeader(decodeUtf8(headerBytes, origin), origin);

        long bufferStart = 8 + headerLength;
        validateLayout(header.entries(), size - bufferStart, origin);

        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : header.entries()) {
            byte[] data = new byte[(int) (e.end() - e.begin())];
            source.readFully(bufferStart + e.begin(), data);
            tensors.put(e.name(), new Tensor(e.dtype(), e.shape(), data));
        }
        return new Contents(tensors, Collections.unmodifiableMap(header.metadata()));
    }

    private static String decodeUtf8(byte[] bytes, String origin) throws IOException {
        try {
            // A strict decoder: String's constructor would silently turn bad bytes into U+FFFD.
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IOException(origin + ": header is not valid UTF-8", e);
        }
    }

    /** Parses the header JSON, checking types and field presence; layout is checked by validateLayout. */
    private static Header parseHeader(String json, String origin) throws IOException {
        JsonReader reader = new JsonReader(new StringReader(json));
        reader.setStrictness(Strictness.STRICT);
        try {
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw failure(origin, "header must be a JSON object, found " + reader.peek());
            }
            reader.beginObject();
            Map<String, String> metadata = null;
            List<Entry> entries = new ArrayList<>();
            Set<String> names = new HashSet<>();
            while (reader.hasNext()) {
                String key = reader.nextName();
                if (key.equals(METADATA_KEY)) {
                    if (metadata != null) {
                        throw failure(origin, "header has \"" + METADATA_KEY + "\" twice");
                    }
                    metadata = readMetadata(reader, origin);
                } else {
                    if (!names.add(key)) {
                        throw failure(origin, tensor(key) + " appears twice in the header");
                    }
                    entries.add(readEntry(reader, key, origin));
                }
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw failure(origin, "unexpected content after the header object");
            }
            return new Header(entries, metadata == null ? new LinkedHashMap<>() : metadata);
        } catch (MalformedJsonException | EOFException | IllegalStateException e) {
            // Gson's own exceptions: syntax errors, premature end, or a token of the wrong kind.
            throw new IOException(origin + ": header is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> readMetadata(JsonReader reader, String origin) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw failure(origin, "\"" + METADATA_KEY + "\" must be an object, found " + reader.peek());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            // Strings only, as in the reference: nextString() would quietly accept a number.
            if (reader.peek() != JsonToken.STRING) {
                throw failure(origin, "metadata \"" + key + "\" must be a string, found " + reader.peek());
            }
            if (metadata.put(key, reader.nextString()) != null) {
                throw failure(origin, "metadata \"" + key + "\" appears twice");
            }
        }
        reader.endObject();
        return metadata;
    }

    private static Entry readEntry(JsonReader reader, String name, String origin) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw failure(origin, tensor(name) + " must be an object with dtype, shape and data_offsets, found "
                    + reader.peek());
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        reader.beginObject();
        while (reader.hasNext()) {
            String field = reader.nextName();
            switch (field) {
                case "dtype" -> {
                    if (reader.peek() != JsonToken.STRING) {
                        throw failure(origin, tensor(name) + ": dtype must be a string, found " + reader.peek());
                    }
                    dtypeName = reader.nextString();
                }
                case "shape" -> shape = readCounts(reader, name, "shape", origin);
                case "data_offsets" -> offsets = readCounts(reader, name, "data_offsets", origin);
                // Fields a later version of the format might add do not stop us reading the ones we know.
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        if (dtypeName == null || shape == null || offsets == null) {
            String missing = dtypeName == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw failure(origin, tensor(name) + " has no \"" + missing + "\"");
        }
        DType dtype;
        try {
            dtype = DType.parse(dtypeName);
        } catch (IllegalArgumentException e) {
            throw failure(origin, tensor(name) + " has an " + e.getMessage());
        }
        if (offsets.length != 2) {
            throw failure(origin, tensor(name) + ": data_offsets must be [begin, end], found "
                    + Arrays.toString(offsets));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** An array of non-negative integers (shape or data_offsets), rejecting fractions, exponents and overflow. */
    private static long[] readCounts(JsonReader reader, String name, String field, String origin)
            throws IOException {
        if (reader.peek() != JsonToken.BEGIN_ARRAY) {
            throw failure(origin, tensor(name) + ": " + field + " must be an array, found " + reader.peek());
        }
        List<Long> values = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            if (reader.peek() != JsonToken.NUMBER) {
                throw failure(origin, tensor(name) + ": " + field + " must hold integers, found " + reader.peek());
            }
            String literal = reader.nextString(); // the number's text, so "2.0" or "1e3" can be refused
            long value;
            try {
                value = Long.parseLong(literal);
            } catch (NumberFormatException e) {
                throw failure(origin, tensor(name) + ": " + field + " holds " + literal
                        + ", not an integer in range");
            }
            if (value < 0) {
                throw failure(origin, tensor(name) + ": " + field + " holds negative " + value);
            }
            values.add(value);
        }
        reader.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** Checks each entry's size against its offsets and the buffer, then that no two tensors overlap. */
    private static void validateLayout(List<Entry> entries, long bufferSize, String origin) throws IOException {
        for (Entry e : entries) {
            String where = tensor(e.name()) + " (" + e.dtype() + " " + Arrays.toString(e.shape())
                    + ", data_offsets [" + e.begin() + ", " + e.end() + "])";
            long bytes;
            try {
                bytes = Math.multiplyExact(Tensor.elementCount(e.shape()), (long) e.dtype().byteSize());
            } catch (ArithmeticException ex) {
                throw failure(origin, where + ": shape overflows a 64-bit byte count");
            }
            if (e.end() < e.begin()) {
                throw failure(origin, where + ": data_offsets end before they begin");
            }
            if (e.end() - e.begin() != bytes) {
                throw failure(origin, where + ": shape and dtype need " + bytes + " bytes but data_offsets span "
                        + (e.end() - e.begin()));
            }
            if (e.end() > bufferSize) {
                throw failure(origin, where + ": data_offsets reach beyond the " + bufferSize
                        + "-byte data buffer (truncated file?)");
            }
            if (bytes > MAX_TENSOR_BYTES) {
                throw failure(origin, where + ": " + bytes + " bytes is more than one Java array can hold");
            }
        }
        // Sorted by position, a tensor overlaps an earlier one exactly when it begins before the furthest end so
        // far. Empty tensors occupy no bytes and may sit anywhere.
        List<Entry> byPosition = new ArrayList<>(entries);
        byPosition.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry furthest = null;
        for (Entry e : byPosition) {
            if (e.begin() == e.end()) {
                continue;
            }
            if (furthest != null && e.begin() < furthest.end()) {
                throw failure(origin, tensor(e.name()) + " (data_offsets [" + e.begin() + ", " + e.end()
                        + "]) overlaps " + tensor(furthest.name()) + " (data_offsets [" + furthest.begin() + ", "
                        + furthest.end() + "])");
            }
            if (furthest == null || e.end() > furthest.end()) {
                furthest = e;
            }
        }
    }

    private static String tensor(String name) {
        return "tensor '" + name + "'";
    }

    private static IOException failure(String origin, String message) {
        return new IOException(origin + ": " + message);
    }

    // ------------------------------------------------------------------------------------------------ writing

    /** Header bytes (length field excluded, padding included) and the tensors in buffer order. */
    private record Prepared(byte[] header, List<Tensor> ordered, long bufferSize) {
    }

    /**
     * The complete file for these tensors and metadata (null or empty: no {@code __metadata__}).
     *
     * @throws IllegalArgumentException for a null or reserved tensor name, or a file too big for one array
     */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Prepared prepared = prepare(tensors, metadata);
        long total = 8 + prepared.header().length + prepared.bufferSize();
        if (total > MAX_TENSOR_BYTES) {
            throw new IllegalArgumentException(total + " bytes do not fit in one array; use write(Path, ...)");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(prepared.header().length).put(prepared.header());
        for (Tensor t : prepared.ordered()) {
            out.put(t.data());
        }
        return out.array();
    }

    /**
     * Writes atomically and durably: a temp file in the same folder, fsync, rename, fsync the folder. A reader
     * sees either the old file or the complete new one, also after a crash. Data streams tensor by tensor, so
     * files beyond 2 GiB are fine.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Prepared prepared = prepare(tensors, metadata);
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        // Same folder, so the rename cannot cross file systems; the dot keeps it out of casual listings.
        Path temp = folder.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(8 + prepared.header().length).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(prepared.header().length).put(prepared.header()).flip();
                writeFully(channel, head);
                for (Tensor t : prepared.ordered()) {
                    writeFully(channel, ByteBuffer.wrap(t.data()));
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncFolder(folder);
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Makes the rename itself durable: without this a crash can bring back the old directory entry. */
    private static void syncFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Windows cannot open a directory as a channel, and offers no other way to sync one from Java.
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }

    private static Prepared prepare(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "tensors");
        List<Map.Entry<String, Tensor>> ordered = new ArrayList<>(tensors.entrySet());
        for (Map.Entry<String, Tensor> e : ordered) {
            if (e.getKey() == null || e.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("invalid tensor name: " + e.getKey());
            }
            Objects.requireNonNull(e.getValue(), () -> "tensor '" + e.getKey() + "' is null");
        }
        ordered.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -e.getValue().dtype().referenceRank())
                .thenComparing(Map.Entry::getKey, SafeTensors::compareCodePoints));

        List<Map.Entry<String, String>> meta =
                new ArrayList<>((metadata == null ? Map.<String, String>of() : metadata).entrySet());
        for (Map.Entry<String, String> m : meta) {
            Objects.requireNonNull(m.getKey(), "metadata key");
            Objects.requireNonNull(m.getValue(), () -> "metadata '" + m.getKey() + "' is null");
        }
        meta.sort(Map.Entry.comparingByKey(SafeTensors::compareCodePoints));
        StringWriter json = new StringWriter();
        long offset = 0;
        List<Tensor> data = new ArrayList<>(ordered.size());
        try (JsonWriter writer = new JsonWriter(json)) {
            writer.beginObject();
            if (!meta.isEmpty()) {
                writer.name(METADATA_KEY).beginObject();
                for (Map.Entry<String, String> m : meta) {
                    writer.name(m.getKey()).value(m.getValue());
                }
                writer.endObject();
            }
            for (Map.Entry<String, Tensor> e : ordered) {
                Tensor t = e.getValue();
                writer.name(e.getKey()).beginObject();
                writer.name("dtype").value(t.dtype().name());
                writer.name("shape").beginArray();
                for (long d : t.shape()) {
                    writer.value(d);
                }
                writer.endArray();
                writer.name("data_offsets").beginArray().value(offset).value(offset + t.data().length).endArray();
                writer.endObject();
                offset += t.data().length;
                data.add(t);
            }
            writer.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        // Pad with spaces (valid trailing JSON whitespace) so the buffer starts 8-byte aligned.
        byte[] header = Arrays.copyOf(text, (text.length + 7) & ~7);
        Arrays.fill(header, text.length, header.length, (byte) ' ');
        return new Prepared(header, data, offset);
    }

    /**
     * Code point order, which is the UTF-8 byte order the reference sorts by. {@link String#compareTo} compares
     * UTF-16 units and disagrees once characters beyond U+FFFF meet ones in U+E000..U+FFFF.
     */
    private static int compareCodePoints(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }
}
