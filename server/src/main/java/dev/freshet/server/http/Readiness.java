package dev.freshet.server.http;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the server should take model traffic, for {@code GET /health/ready} and the model routes (503
 * while not ready). Starts not ready ("starting"); the composition root calls {@link #ready()} once the
 * model is loaded and the registry restored, and may call {@link #notReady} later (e.g. while draining).
 */
public final class Readiness {

    private final AtomicReference<String> problem = new AtomicReference<>("starting");

    public void ready() {
        problem.set(null);
    }

    public void notReady(String reason) {
        problem.set(reason == null || reason.isBlank() ? "not ready" : reason);
    }

    /** Why the server is not ready, or empty when it is. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem.get());
    }
}
