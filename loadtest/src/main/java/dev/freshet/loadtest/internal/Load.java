package dev.freshet.loadtest.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP load in the two classic shapes, bounded in time and in requests outstanding.
 *
 * <ul>
 *   <li><b>closed loop</b>: {@code concurrency} threads, each sending its next request when the last one
 *       answered: measures the throughput the server sustains and the latency at that load;
 *   <li><b>open loop</b>: requests due at a fixed rate whether or not earlier ones answered, each timed
 *       from when it was <em>due</em>, so a stalled server shows up as latency instead of silently
 *       slowing the load (coordinated omission). Past {@code maxOutstanding} requests in flight a due
 *       request is dropped and counted, rather than queued without bound.
 * </ul>
 */
public final class Load {

    /** One request: when it was due (ns since the run's origin), how long it took, its status, its route. */
    public record Sample(long dueNanos, long nanos, int status, String route) {}

    /** What a request number sends; alternating routes is up to the implementation. */
    public interface Request {
        String route(long i);

        Api.Reply send(long i);
    }

    /** The samples of one run, plus requests the open loop dropped. */
    public record Run(List<Sample> samples, long dropped, double seconds) {
        public double throughput() {
            return samples.stream().filter(s -> s.status() == 200).count() / seconds;
        }
    }

    private Load() {}

    public static Run closed(Request req, int concurrency, Duration length, long origin) throws InterruptedException {
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        long end = start + length.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, new NamedThreads("closed"));
        for (int c = 0; c < concurrency; c++) {
            pool.execute(() -> {
                while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
                    long i = next.getAndIncrement();
                    long due = System.nanoTime();
                    Api.Reply r = req.send(i);
                    samples.add(new Sample(due - origin, r.nanos(), r.status(), req.route(i)));
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(length.toSeconds() + 120, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        return new Run(List.copyOf(samples), 0, (System.nanoTime() - start) / 1e9);
    }

    public static Run open(Request req, double rate, Duration length, int maxOutstanding, long origin) throws InterruptedException {
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        Semaphore outstanding = new Semaphore(maxOutstanding);
        AtomicInteger dropped = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(new NamedThreads("open"));
        long start = System.nanoTime();
        long n = Math.max(1, (long) (rate * length.toNanos() / 1e9));
        for (long i = 0; i < n; i++) {
            long due = start + (long) (i * 1e9 / rate);
            TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
            if (!outstanding.tryAcquire()) {
                dropped.incrementAndGet();
                continue;
            }
            long id = i;
            pool.execute(() -> {
                try {
                    Api.Reply r = req.send(id);
                    // From when it was due, not when a thread got to it: queueing counts as latency.
                    samples.add(new Sample(due - origin, System.nanoTime() - due, r.status(), req.route(id)));
                } finally {
                    outstanding.release();
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(120, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        return new Run(List.copyOf(samples), dropped.get(), (System.nanoTime() - start) / 1e9);
    }
}
