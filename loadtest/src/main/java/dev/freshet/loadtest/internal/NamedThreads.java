package dev.freshet.loadtest.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon platform threads named {@code freshet-load-<role>-<n>}, so a thread dump says who is who. */
public final class NamedThreads implements ThreadFactory {

    private final String prefix;
    private final AtomicInteger next = new AtomicInteger();

    public NamedThreads(String role) {
        this.prefix = "freshet-load-" + role + "-";
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, prefix + next.getAndIncrement());
        t.setDaemon(true); // a scenario that fails never keeps the JVM alive
        return t;
    }
}
