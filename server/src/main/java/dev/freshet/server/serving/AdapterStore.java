package dev.freshet.server.serving;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterManifest;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.streams.record.TenantId;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The adapter store on disk: every version ever made, plus which one each tenant serves.
 *
 * <pre>
 * &lt;data-dir&gt;/adapters/&lt;tenant&gt;/
 *     v1/ manifest.json, adapter.safetensors     written by {@link Adapter#save} (temp folder, fsync, rename)
 *     v2/ ...
 *     history/v2.json                            v2's history entry: written when it was served or rejected, with
 *                                                the gate's verdict if it was gated
 *     promoted.json                              {"version": 2}: what a restart serves
 * </pre>
 *
 * Small files are replaced atomically (write a temp file, fsync, rename over), so a crash leaves either
 * the old or the new content. Versions are immutable: saving a version that exists is a no-op.
 */
public final class AdapterStore {

    private static final String WEIGHTS_FILE = "adapter.safetensors";

    private final Path root;

    /** @param dataDir the server's data directory; adapters live under {@code dataDir/adapters} */
    public AdapterStore(Path dataDir) {
        this.root = dataDir.resolve("adapters");
    }

    public Path root() {
        return root;
    }

    /** {@code adapters/<tenant>/v<version>}. */
    public Path versionDir(String tenant, long version) {
        return tenantDir(tenant).resolve("v" + version);
    }

    /** Whether the version's weights and manifest are stored. */
    public boolean contains(String tenant, long version) {
        return Files.isRegularFile(versionDir(tenant, version).resolve("manifest.json"));
    }

    /** Saves the adapter under its manifest's version unless that version is already stored. */
    public void save(String tenant, Adapter adapter) throws IOException {
        long v = adapter.manifest().version();
        if (!contains(tenant, v)) {
            adapter.save(versionDir(tenant, v));
        }
    }

    /**
     * Stores a version that arrived as files (another replica's adapter event) unless it is already stored:
     * both files are written to a temp folder, fsynced, and the folder renamed into place, so a reader
     * never sees half a version. The manifest must name {@code version}.
     */
    public void saveFiles(String tenant, long version, String manifestJson, byte[] safetensors) throws IOException {
        if (contains(tenant, version)) {
            return;
        }
        long named = AdapterManifest.fromJson(manifestJson).version();
        if (named != version) {
            throw new IOException("tenant " + tenant + ": the manifest of v" + version + " names version " + named);
        }
        Path dir = versionDir(tenant, version);
        Path parent = dir.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".tmp");
        try {
            writeSynced(tmp.resolve(WEIGHTS_FILE), safetensors);
            writeSynced(tmp.resolve("manifest.json"), manifestJson.getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.isDirectory(tmp)) {
                try (Stream<Path> s = Files.list(tmp)) {
                    for (Path p : s.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(tmp);
            }
        }
        syncDir(parent);
    }

    /** The weights file of a stored version ({@code adapter.safetensors}). */
    public Path weightsFile(String tenant, long version) {
        return versionDir(tenant, version).resolve(WEIGHTS_FILE);
    }

    /** The manifest of a stored version as written, byte for byte. */
    public String manifestJson(String tenant, long version) throws IOException {
        return Files.readString(versionDir(tenant, version).resolve("manifest.json"));
    }

    /** Loads a stored version onto {@code base}. */
    public Adapter load(String tenant, long version, LanguageModel base) throws IOException {
        return Adapter.load(versionDir(tenant, version), base);
    }

    public AdapterManifest manifest(String tenant, long version) throws IOException {
        return AdapterManifest.fromJson(Files.readString(versionDir(tenant, version).resolve("manifest.json")));
    }

    /** Tenants with a folder in the store, sorted. Folders that are not valid tenant ids are ignored. */
    public List<String> tenants() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(TenantId::isValid).sorted().toList();
        }
    }

    /** Stored versions of a tenant, ascending. Half-written temp folders (dot names) are not versions. */
    public List<Long> versions(String tenant) throws IOException {
        Path dir = tenantDir(tenant);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Long v = parseVersion(p.getFileName().toString(), "");
                if (v != null && contains(tenant, v)) {
                    out.add(v);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** The version {@code promoted.json} names, if the tenant has one. */
    public OptionalLong promoted(String tenant) throws IOException {
        Path f = tenantDir(tenant).resolve("promoted.json");
        if (!Files.isRegularFile(f)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(JsonParser.parseString(Files.readString(f)).getAsJsonObject().get("version").getAsLong());
    }

    /** Records the served version durably; called before the swap becomes visible. */
    public void writePromoted(String tenant, long version) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("version", version);
        o.addProperty("updated_at_ms", System.currentTimeMillis());
        writeAtomically(tenantDir(tenant).resolve("promoted.json"), o.toString());
    }

    /**
     * Records that a version was served or rejected (manifest summary and gate verdict). A restart tells
     * from it which stored versions were ever decided on, and shows gate results of rejected candidates,
     * whose weights were never stored.
     */
    public void writeHistoryRecord(String tenant, VersionInfo info) throws IOException {
        writeAtomically(tenantDir(tenant).resolve("history").resolve("v" + info.version() + ".json"), info.toJson().toString());
    }

    /** Every history record of a tenant by version. */
    public Map<Long, VersionInfo> historyRecords(String tenant) throws IOException {
        Path dir = tenantDir(tenant).resolve("history");
        Map<Long, VersionInfo> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Long v = parseVersion(p.getFileName().toString(), ".json");
                if (v != null) {
                    out.put(v, VersionInfo.fromJson(Files.readString(p)));
                }
            }
        }
        return out;
    }

    private Path tenantDir(String tenant) {
        // Validated here as well as at the edge: the id becomes a path, so it must never hold '/' or "..".
        return root.resolve(new TenantId(tenant).value());
    }

    private static Long parseVersion(String name, String suffix) {
        if (!name.startsWith("v") || !name.endsWith(suffix)) {
            return null;
        }
        String digits = name.substring(1, name.length() - suffix.length());
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 18) {
            return null;
        }
        return Long.parseLong(digits);
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            writeSynced(tmp, content.getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDir(dir);
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void syncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot fsync a directory; the rename is still atomic there.
        }
    }
}
