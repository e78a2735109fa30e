package org.roundtable.streaming.hls;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every {@link HlsStream} of a server shares: the wall clock (EXT-X-PROGRAM-DATE-TIME, viewer
 * windows), the executor that answers blocked requests when a part is published (never the composition
 * thread; Jetty's thread pool does), the timer of their timeouts, and the aggregate counters.
 * Immutable; any thread.
 */
public record HlsRuntime(Clock clock, Executor executor, HlsTimer timer, HlsMetrics metrics) {
    public HlsRuntime {
        if (clock == null || executor == null || timer == null || metrics == null) throw new NullPointerException("HlsRuntime needs all four");
    }

    /** The system UTC clock, a fresh {@link HlsMetrics}, the given executor and scheduler. */
    public static HlsRuntime create(Executor executor, ScheduledExecutorService scheduler) {
        return new HlsRuntime(Clock.systemUTC(), executor, HlsTimer.of(scheduler), new HlsMetrics());
    }
}
