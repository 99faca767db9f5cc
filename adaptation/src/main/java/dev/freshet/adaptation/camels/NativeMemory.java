package dev.freshet.adaptation.camels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident set size from {@code /proc/self/status} (VmRSS): the number that grows when native
 * (libtorch) memory leaks, which the JVM's own heap figures never show. −1 where /proc is absent.
 *
 * <p>Read it with glibc in mind: with default settings its per-thread arenas and sliding mmap threshold keep freed
 * tensor buffers, so RSS of a meta-training run climbs to several GB and levels off without any leak; under
 * {@code MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072} the same run stays near 0.5 GB. A leak is growth that
 * continues under those settings.
 */
public final class NativeMemory {

    private NativeMemory() {}

    /** Bytes the JVM heap has committed (an upper bound of the Java part of {@link #residentBytes()}). */
    public static long heapCommittedBytes() {
        return Runtime.getRuntime().totalMemory();
    }

    /** Resident bytes now, or −1 when the platform does not say. */
    public static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L; // reported in kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: report unknown rather than fail a training run
        }
        return -1;
    }
}
