package org.roundtable.streaming.hls;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/** A fake clock that is also the timer: time moves only when a test calls {@link #advance}. Thread-safe. */
final class FakeTimer extends Clock implements HlsTimer {
    private record Task(long due, long seq, Runnable run) {}

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now, seq;

    FakeTimer(long startMillis) { this.now = startMillis; }

    @Override
    public synchronized Runnable schedule(long delayMillis, Runnable task) {
        Task t = new Task(now + delayMillis, seq++, task);
        tasks.add(t);
        return () -> { synchronized (this) { tasks.remove(t); } };
    }

    /** Moves time on and runs (on the calling thread) every task that has become due. */
    void advance(long millis) {
        List<Task> due = new ArrayList<>();
        synchronized (this) {
            now += millis;
            while (!tasks.isEmpty() && tasks.peek().due <= now) due.add(tasks.poll());
        }
        for (Task t : due) t.run.run();
    }

    synchronized int pending() { return tasks.size(); }

    @Override public synchronized long millis() { return now; }

    @Override public long nowMillis() { return millis(); }

    @Override public Instant instant() { return Instant.ofEpochMilli(millis()); }

    @Override public ZoneId getZone() { return ZoneOffset.UTC; }

    @Override public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException(); }
}
