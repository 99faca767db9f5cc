package dev.freshet.server.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test fixture: a command-line tool from a Debian package (kcat, prometheus, promtool), for the ITs that
 * check Freshet against independent clients.
 *
 * <p>A tool on {@code PATH} is used as it is. Otherwise it is fetched from Debian's archive with the
 * machine's own apt sources and unpacked under {@code target/debian-tools}, without installing anything
 * and without root: {@code apt-get download} of the tool's package and of every shared library it needs
 * that the machine lacks (resolved with {@code apt-cache depends --recurse}), then {@code dpkg-deb -x} of
 * each; the tool runs with {@code LD_LIBRARY_PATH} pointing into the unpacked tree. Where the machine has
 * no package lists (a fresh container), {@code apt-get update} fetches them into
 * {@code target/debian-tools/apt} and every apt call uses those: the machine's own apt state is never
 * changed, and this works for root and non-root alike. System property
 * {@code freshet.debian-tools.private-apt=true} forces that path even where lists exist (to test it).
 * The unpacked tree stays in {@code target/}, so a build fetches each package once. When nothing works the
 * test fails with what was tried: these checks are acceptance criteria, never skipped.
 */
public final class DebianTools {

    /** The tools the ITs use, with the package that ships each and the libraries its binary links. */
    public enum Tool {
        KCAT("kcat", "kcat", List.of("librdkafka1", "libyajl2")),
        /** Debian builds Prometheus as a Go binary linked against libc only. */
        PROMETHEUS("prometheus", "prometheus", List.of()),
        PROMTOOL("promtool", "prometheus", List.of());

        final String executable;
        final String pkg;
        final List<String> libraries;

        Tool(String executable, String pkg, List<String> libraries) {
            this.executable = executable;
            this.pkg = pkg;
            this.libraries = libraries;
        }
    }

    /** A runnable tool: its executable and the environment it needs. */
    public record Resolved(Path executable, Map<String, String> environment) {

        /** A process builder for the tool with {@code args}, stderr merged into stdout. */
        public ProcessBuilder command(String... args) {
            List<String> cmd = new ArrayList<>();
            cmd.add(executable.toString());
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(environment);
            return pb;
        }

        /** Runs the tool to completion (at most {@code timeout}); stdin is closed at once. */
        public Result run(Duration timeout, String... args) {
            return DebianTools.run(command(args), null, timeout);
        }
    }

    /** Exit status and combined output of a finished command. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private static final Map<Tool, Resolved> RESOLVED = new EnumMap<>(Tool.class);
    private static final Duration APT_TIMEOUT = Duration.ofMinutes(5);

    private DebianTools() {}

    /** The tool, from {@code PATH}, from this build's cache, or fetched now; fails with a clear message. */
    public static synchronized Resolved get(Tool tool) {
        return RESOLVED.computeIfAbsent(tool, DebianTools::resolve);
    }

    private static Resolved resolve(Tool tool) {
        Path onPath = onPath(tool.executable);
        if (onPath != null) {
            return new Resolved(onPath, Map.of());
        }
        Path root = cacheDir().resolve("root");
        Path exe = root.resolve("usr/bin").resolve(tool.executable);
        Path marker = cacheDir().resolve(tool.pkg + ".unpacked");
        if (!Files.exists(marker) || !Files.isExecutable(exe)) {
            fetch(tool, root);
            write(marker, "unpacked " + tool.pkg + "\n");
        }
        if (!Files.isExecutable(exe)) {
            throw new AssertionError("package " + tool.pkg + " was unpacked under " + root + " but has no usr/bin/" + tool.executable);
        }
        return new Resolved(exe, Map.of("LD_LIBRARY_PATH", libraryPath(root)));
    }

    /** Downloads the tool's package and the missing libraries, and unpacks them into {@code root}. */
    private static void fetch(Tool tool, Path root) {
        if (onPath("apt-get") == null || onPath("dpkg-deb") == null) {
            throw new AssertionError(tool.executable + " is not on PATH and this is not a Debian-like system (no apt-get/dpkg-deb) to fetch package "
                    + tool.pkg + " from; install it (apt-get install " + tool.pkg + ") or put it on PATH");
        }
        List<String> apt = aptOptions(tool);
        Set<String> packages = new LinkedHashSet<>();
        packages.add(tool.pkg);
        packages.addAll(missingLibraries(tool.libraries, apt));
        Path debs = cacheDir().resolve("debs");
        mkdirs(debs);
        List<String> download = new ArrayList<>(List.of("apt-get"));
        download.addAll(apt);
        download.add("download");
        download.addAll(packages);
        Result got = run(new ProcessBuilder(download).redirectErrorStream(true), debs, APT_TIMEOUT);
        if (!got.ok()) {
            throw new AssertionError(tool.executable + " is not on PATH and `" + String.join(" ", download) + "` failed (exit " + got.exitCode()
                    + "); is the Debian archive reachable? Output:\n" + got.output());
        }
        // Unpack into a fresh directory beside the shared root, then move the files in: a half-unpacked
        // tree left by an interrupted build never looks complete (the marker is written last).
        Path staging = cacheDir().resolve("staging-" + tool.pkg);
        deleteTree(staging);
        for (String pkg : packages) {
            Path deb = newestDeb(debs, pkg);
            Result x = run(new ProcessBuilder("dpkg-deb", "-x", deb.toString(), staging.toString()).redirectErrorStream(true), null,
                    Duration.ofMinutes(2));
            if (!x.ok()) {
                throw new AssertionError("dpkg-deb -x " + deb + " failed (exit " + x.exitCode() + "):\n" + x.output());
            }
        }
        merge(staging, root);
        deleteTree(staging);
    }

    /**
     * The {@code -o} options every apt call takes: none with the machine's package lists, else private
     * lists and cache under {@code target/debian-tools/apt}, fetched now with {@code apt-get update}.
     */
    private static List<String> aptOptions(Tool tool) {
        if (hasPackageLists(Path.of("/var/lib/apt/lists")) && !Boolean.getBoolean("freshet.debian-tools.private-apt")) {
            return List.of();
        }
        Path lists = cacheDir().resolve("apt/lists");
        Path cache = cacheDir().resolve("apt/cache");
        List<String> options = List.of("-o", "Dir::State::Lists=" + lists, "-o", "Dir::Cache=" + cache);
        if (!hasPackageLists(lists)) {
            mkdirs(lists.resolve("partial"));
            mkdirs(cache.resolve("archives/partial"));
            List<String> update = new ArrayList<>(List.of("apt-get", "-q"));
            update.addAll(options);
            update.add("update");
            Result r = run(new ProcessBuilder(update).redirectErrorStream(true), null, APT_TIMEOUT);
            if (!r.ok() || !hasPackageLists(lists)) {
                throw new AssertionError(tool.executable + " is not on PATH, the machine has no apt package lists, and `" + String.join(" ", update)
                        + "` failed (exit " + r.exitCode() + "); is the Debian archive reachable? Output:\n" + r.output());
            }
        }
        return options;
    }

    private static boolean hasPackageLists(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().contains("_Packages"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The libraries and their transitive dependencies that are not installed here: only those need
     * unpacking (on a clean machine that can include libssl3 or libsasl2-2 for librdkafka1).
     */
    private static List<String> missingLibraries(List<String> libraries, List<String> aptOptions) {
        if (libraries.isEmpty()) {
            return List.of();
        }
        List<String> cmd = new ArrayList<>(List.of("apt-cache"));
        cmd.addAll(aptOptions);
        cmd.addAll(List.of("depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
                "--no-breaks", "--no-replaces", "--no-enhances"));
        cmd.addAll(libraries);
        Result deps = run(new ProcessBuilder(cmd).redirectErrorStream(true), null, Duration.ofMinutes(1));
        if (!deps.ok()) {
            throw new AssertionError("`" + String.join(" ", cmd) + "` failed (exit " + deps.exitCode() + "):\n" + deps.output());
        }
        // Top-level lines name every package reached; indented lines are the edges, <...> virtual packages.
        Set<String> reached = new TreeSet<>();
        deps.output().lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)) && !l.startsWith("<"))
                .forEach(l -> reached.add(l.strip()));
        List<String> missing = new ArrayList<>();
        for (String pkg : reached) {
            Result status = run(new ProcessBuilder("dpkg-query", "-W", "-f", "${db:Status-Abbrev}", pkg).redirectErrorStream(true), null,
                    Duration.ofSeconds(30));
            if (!(status.ok() && status.output().startsWith("ii"))) {
                missing.add(pkg);
            }
        }
        return missing;
    }

    /** Every directory under {@code root} holding shared objects, before the inherited library path. */
    private static String libraryPath(Path root) {
        Set<String> dirs = new LinkedHashSet<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(p -> p.getFileName().toString().matches(".+\\.so(\\.[0-9]+)*")).map(p -> p.getParent().toString()).sorted().forEach(dirs::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String inherited = System.getenv("LD_LIBRARY_PATH");
        if (inherited != null && !inherited.isEmpty()) {
            dirs.add(inherited);
        }
        return String.join(":", dirs);
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** {@code target/debian-tools} of the module under test (Failsafe sets {@code basedir}). */
    static Path cacheDir() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target/debian-tools");
    }

    private static Path newestDeb(Path dir, String pkg) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.getFileName().toString().endsWith(".deb"))
                    .max(Comparator.comparing(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new AssertionError("apt-get download left no " + pkg + "_*.deb in " + dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command to completion, output captured; {@code cwd} null means the current directory. */
    static Result run(ProcessBuilder pb, Path cwd, Duration timeout) {
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        try {
            Path log = Files.createTempFile("debian-tools", ".log");
            try {
                Process p = pb.redirectOutput(log.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor();
                    return new Result(-1, "timed out after " + timeout + ": " + String.join(" ", pb.command()) + "\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            return new Result(-1, "could not run " + String.join(" ", pb.command()) + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + pb.command(), e);
        }
    }

    private static void merge(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.move(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
