package org.roundtable.streaming.hls;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests an {@link HlsStream} holds (blocking playlist reloads, requests for the preload-hinted part)
 * until a snapshot satisfies them, the stream ends, or they time out. No thread waits: a waiter is a
 * Jetty response to complete later. Lock-free: HTTP threads add waiters; the composition thread only
 * notes a publication and hands the answering to the executor; the timer thread expires; each waiter is
 * answered exactly once (whoever claims it first). An added waiter re-reads the current snapshot after it
 * is queued, so a publication between its first look and its queuing is never missed.
 */
final class Waiters {
    private static final Logger LOG = LoggerFactory.getLogger(Waiters.class);

    /** A held request. Its methods are called at most once in all, on whichever thread claims it. */
    interface Waiter {
        boolean ready(HlsSnapshot s);
        void answer(HlsSnapshot s);
        /** Timed out: answer 503. */
        void expire();
    }

    private final Supplier<HlsSnapshot> current;
    private final Executor executor;
    private final HlsTimer timer;
    private final long timeoutMillis;
    private final int max;
    private final HlsMetrics metrics;
    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger dead = new AtomicInteger();        // claimed by the timer, still queued
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Runnable wake = this::wake;

    Waiters(Supplier<HlsSnapshot> current, Executor executor, HlsTimer timer, long timeoutMillis, int max, HlsMetrics metrics) {
        this.current = current;
        this.executor = executor;
        this.timer = timer;
        this.timeoutMillis = timeoutMillis;
        this.max = max;
        this.metrics = metrics;
    }

    /** Holds w until a snapshot is ready for it; false (w untouched) when the stream already holds its maximum. */
    boolean add(Waiter w) {
        if (live.incrementAndGet() > max) {
            live.decrementAndGet();
            return false;
        }
        Entry e = new Entry(w);
        queue.add(e);
        metrics.waiting(1);
        e.cancel = timer.schedule(timeoutMillis, () -> expire(e));
        HlsSnapshot s = current.get();
        if (w.ready(s) && e.claim()) {
            queue.remove(e);
            finish(e, s);
        }
        return true;
    }

    /** Requests held now. */
    int size() { return live.get(); }

    /** A new snapshot was published (composition thread): answer the waiters it satisfies, elsewhere. */
    void published() {
        if (live.get() == 0 || !wakePending.compareAndSet(false, true)) return;
        try {
            executor.execute(wake);
        } catch (RejectedExecutionException ex) {
            wakePending.set(false);                      // the next publication or the timeouts answer them
            metrics.countWakeRejected();
        }
    }

    private void wake() {
        wakePending.set(false);
        HlsSnapshot s = current.get();
        for (Iterator<Entry> it = queue.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.done.get()) {
                it.remove();
                dead.decrementAndGet();
            } else if (ready(e, s) && e.claim()) {
                it.remove();
                finish(e, s);
            }
        }
    }

    private boolean ready(Entry e, HlsSnapshot s) {
        try {
            return e.waiter.ready(s);
        } catch (RuntimeException ex) {
            LOG.warn("HLS waiter failed its check", ex);
            return true;
        }
    }

    private void finish(Entry e, HlsSnapshot s) {
        Runnable c = e.cancel;
        if (c != null) c.run();
        metrics.waiting(-1);
        try {
            e.waiter.answer(s);
        } catch (RuntimeException ex) {
            LOG.warn("HLS waiter failed to answer", ex);
        }
    }

    private void expire(Entry e) {
        if (!e.claim()) return;
        metrics.waiting(-1);
        metrics.countTimeout();
        try {
            e.waiter.expire();
        } catch (RuntimeException ex) {
            LOG.warn("HLS waiter failed to time out", ex);
        }
        // Timed-out entries leave the queue at the next wake; without publications, sweep now and then.
        if (dead.incrementAndGet() > 256 && dead.get() > live.get()) {
            queue.removeIf(x -> {
                if (!x.done.get()) return false;
                dead.decrementAndGet();
                return true;
            });
        }
    }

    private final class Entry {
        final Waiter waiter;
        final AtomicBoolean done = new AtomicBoolean();
        volatile Runnable cancel;

        Entry(Waiter waiter) { this.waiter = waiter; }

        boolean claim() {
            if (!done.compareAndSet(false, true)) return false;
            live.decrementAndGet();
            return true;
        }
    }
}
