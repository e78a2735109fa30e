package org.roundtable.streaming.hls;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
 * notes a publication and hands the answering to the executor; the timer runs one sweep at a time per
 * stream (all waiters wait equally long, so the queue is in deadline order and a sweep stops at the first
 * waiter not yet due); each waiter is answered exactly once, by whoever claims it first. An added waiter
 * re-reads the current snapshot after it is queued, so a publication between its first look and its
 * queuing is never missed.
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
    private final AtomicBoolean wakePending = new AtomicBoolean(), sweepPending = new AtomicBoolean();
    private final Runnable wake = this::wake, sweep = this::sweep;
    private static final int BATCH = 128;

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
        Entry e = new Entry(w, timer.nowMillis() + timeoutMillis);
        queue.add(e);
        metrics.waiting(1);
        scheduleSweep(timeoutMillis);
        HlsSnapshot s = current.get();
        if (w.ready(s) && e.claim()) finish(e, s);             // the queue drops it at the next wake or sweep
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

    /**
     * Answers the waiters the current snapshot satisfies. A thousand viewers make two thousand answers per
     * part: they go out in batches, all but the last handed to the executor, so that a server with several
     * cores answers them in parallel (on one core it costs a few more tasks, nothing else).
     */
    private void wake() {
        wakePending.set(false);
        HlsSnapshot s = current.get();
        List<Entry> batch = new ArrayList<>(BATCH);
        for (Iterator<Entry> it = queue.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.done.get()) it.remove();
            else if (ready(e, s) && e.claim()) {
                it.remove();
                batch.add(e);
                if (batch.size() == BATCH) {
                    List<Entry> full = batch;
                    batch = new ArrayList<>(BATCH);
                    try {
                        executor.execute(() -> finish(full, s));
                    } catch (RejectedExecutionException ex) {
                        finish(full, s);
                    }
                }
            }
        }
        finish(batch, s);
    }

    private void finish(List<Entry> batch, HlsSnapshot s) {
        for (Entry e : batch) finish(e, s);
    }

    /** Expires the waiters that are due, then sets itself for the next one to fall due. */
    private void sweep() {
        long now = timer.nowMillis(), next = -1;
        for (Iterator<Entry> it = queue.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.done.get()) { it.remove(); continue; }
            if (e.deadline > now) { next = e.deadline; break; }
            it.remove();
            if (e.claim()) expire(e);
        }
        sweepPending.set(false);
        if (live.get() > 0) scheduleSweep(next < 0 ? timeoutMillis : Math.max(1, next - now));
    }

    private void scheduleSweep(long delay) {
        if (sweepPending.compareAndSet(false, true)) timer.schedule(delay, sweep);
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
        metrics.waiting(-1);
        try {
            e.waiter.answer(s);
        } catch (RuntimeException ex) {
            LOG.warn("HLS waiter failed to answer", ex);
        }
    }

    private void expire(Entry e) {
        metrics.waiting(-1);
        metrics.countTimeout();
        try {
            e.waiter.expire();
        } catch (RuntimeException ex) {
            LOG.warn("HLS waiter failed to time out", ex);
        }
    }

    private final class Entry {
        final Waiter waiter;
        final long deadline;
        final AtomicBoolean done = new AtomicBoolean();

        Entry(Waiter waiter, long deadline) {
            this.waiter = waiter;
            this.deadline = deadline;
        }

        boolean claim() {
            if (!done.compareAndSet(false, true)) return false;
            live.decrementAndGet();
            return true;
        }
    }
}
