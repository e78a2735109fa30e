package org.roundtable.streaming.hls;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once, later: the blocking requests' timeouts. Injected so that tests drive the timeouts on
 * a fake clock. Implementations are called from any thread and run tasks on their own thread.
 */
@FunctionalInterface
public interface HlsTimer {
    /** Runs {@code task} after {@code delayMillis}; the returned action cancels it (harmless once it has run). */
    Runnable schedule(long delayMillis, Runnable task);

    /** A timer on a scheduled executor (one made with {@code setRemoveOnCancelPolicy(true)} keeps no cancelled tasks). */
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
