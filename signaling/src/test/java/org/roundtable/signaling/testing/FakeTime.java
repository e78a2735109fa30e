package org.roundtable.signaling.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Simulated time for component tests: a {@link Clock} and a {@link ScheduledExecutorService} that run
 * nothing until the test calls {@link #advance}, then run every task that falls due, in time order, on
 * the test's thread. No real sleeps: a 30-second timeout takes microseconds. execute() runs at once.
 */
public final class FakeTime extends AbstractExecutorService implements ScheduledExecutorService {
    private long nowMs;
    private long seq;
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private boolean shutdown;

    public FakeTime(long startMs) { this.nowMs = startMs; }

    public synchronized long nowMs() { return nowMs; }

    /** A clock reading this simulated time. */
    public Clock clock() {
        return new Clock() {
            @Override public ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(ZoneId zone) { return this; }
            @Override public Instant instant() { return Instant.ofEpochMilli(nowMs()); }
            @Override public long millis() { return nowMs(); }
        };
    }

    /** Moves time forward by ms, running each task when its time comes (periodic ones again and again). */
    public void advance(long ms) {
        long end;
        synchronized (this) { end = nowMs + ms; }
        while (true) {
            Task<?> t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.atMs > end) { nowMs = end; return; }
                queue.poll();
                nowMs = Math.max(nowMs, t.atMs);
            }
            if (t.isCancelled()) continue;
            if (t.periodMs > 0) {
                t.runAndReset();
                synchronized (this) { if (!t.isCancelled()) { t.atMs += t.periodMs; t.order = seq++; queue.add(t); } }
            } else {
                t.run();
            }
        }
    }

    /** Tasks waiting (periodic ones included). */
    public synchronized int pending() { return (int) queue.stream().filter(t -> !t.isCancelled()).count(); }

    private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
        long atMs, order;
        final long periodMs;

        Task(Callable<V> c, long atMs, long periodMs) { super(c); this.atMs = atMs; this.periodMs = periodMs; this.order = seq++; }

        @Override public boolean runAndReset() { return super.runAndReset(); }
        @Override public long getDelay(TimeUnit unit) { return unit.convert(atMs - nowMs(), TimeUnit.MILLISECONDS); }
        @Override public int compareTo(Delayed o) {
            Task<?> t = (Task<?>) o;
            return atMs != t.atMs ? Long.compare(atMs, t.atMs) : Long.compare(order, t.order);
        }
    }

    private synchronized <V> ScheduledFuture<V> add(Callable<V> c, long delayMs, long periodMs) {
        Task<V> t = new Task<>(c, nowMs + Math.max(0, delayMs), periodMs);
        queue.add(t);
        return t;
    }

    @Override public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return add(() -> { command.run(); return null; }, unit.toMillis(delay), 0);
    }

    @Override public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return add(callable, unit.toMillis(delay), 0);
    }

    @Override public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return add(() -> { command.run(); return null; }, unit.toMillis(initialDelay), Math.max(1, unit.toMillis(period)));
    }

    @Override public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return scheduleAtFixedRate(command, initialDelay, delay, unit);
    }

    @Override public void execute(Runnable command) { command.run(); }
    @Override public synchronized void shutdown() { shutdown = true; queue.clear(); }
    @Override public synchronized List<Runnable> shutdownNow() { shutdown(); return new ArrayList<>(); }
    @Override public synchronized boolean isShutdown() { return shutdown; }
    @Override public synchronized boolean isTerminated() { return shutdown; }
    @Override public boolean awaitTermination(long timeout, TimeUnit unit) { return true; }

    /** Unused by the code under test; present for the interface. */
    public Collection<Runnable> drain() { return List.of(); }
}
