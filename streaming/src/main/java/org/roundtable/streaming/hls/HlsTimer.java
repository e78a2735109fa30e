package org.roundtable.streaming.hls;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once, later, and tells the time it goes by: the blocking requests' timeouts. Injected so
 * that tests drive the timeouts on a fake clock. Implementations are called from any thread and run
 * tasks on their own thread.
 */
@FunctionalInterface
public interface HlsTimer {
    /** Runs {@code task} after {@code delayMillis}; the returned action cancels it (harmless once it has run). */
    Runnable schedule(long delayMillis, Runnable task);

    /** This timer's monotonic time in milliseconds (the system's monotonic clock unless faked). */
    default long nowMillis() { return System.nanoTime() / 1_000_000; }

    /** A timer on a scheduled executor (each stream keeps at most one task on it: the sweep of its held requests). */
    static HlsTimer of(ScheduledExecutorService scheduler) {
        return (delay, task) -> {
            try {
                ScheduledFuture<?> f = scheduler.schedule(task, delay, TimeUnit.MILLISECONDS);
                return () -> f.cancel(false);
            } catch (RejectedExecutionException e) {     // shut down: the request is answered when the stream ends
                return () -> { };
            }
        };
    }
}
