package org.roundtable.streaming.rtmp;

/**
 * The retry schedule of one push: the first retry after {@code first}, doubling with each failure in a row
 * up to {@code max}; a connection that stayed live for {@code stable} starts the schedule again. Pure
 * (times are given, in nanoseconds), so it is tested on a fake clock. Not thread-safe: the push thread.
 */
final class Backoff {
    private final long first, max, stable;
    private int failures;
    private long liveSince = -1;

    Backoff(long firstNanos, long maxNanos, long stableNanos) {
        this.first = firstNanos;
        this.max = maxNanos;
        this.stable = stableNanos;
    }

    /** The connection went live at {@code now}. */
    void live(long now) { liveSince = now; }

    /** A connection attempt failed or a live connection dropped at {@code now}: how long to wait before the next. */
    long failed(long now) {
        if (liveSince >= 0 && now - liveSince >= stable) failures = 0;
        liveSince = -1;
        long d = failures >= 30 ? max : Math.min(max, first << failures);
        failures++;
        return d;
    }

    int failuresInARow() { return failures; }
}
