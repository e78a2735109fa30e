package org.roundtable.streaming.rtmp;

/**
 * Decides when a connection must be cut: a write in progress for longer than the stall limit (the server
 * stopped reading and the socket buffers are full), or a close deadline passed. Pure decisions on given
 * times (nanoseconds), so they are tested on a fake clock; the connection's reading thread asks every tick.
 * Thread-safe: the writer marks, the reading thread checks.
 */
final class Watchdog {
    private final long stallNanos;
    private volatile boolean writing, armed;
    private volatile long writeSince, deadline;

    Watchdog(long stallNanos) { this.stallNanos = stallNanos; }

    void writeStarted(long now) {
        writeSince = now;
        writing = true;
    }

    void writeDone() { writing = false; }

    /** The connection must be gone by {@code at}. */
    void deadline(long at) {
        deadline = at;
        armed = true;
    }

    /** Why the connection must be cut at {@code now}, or null. */
    String check(long now) {
        if (writing && now - writeSince > stallNanos)
            return "send stalled for " + stallNanos / 1_000_000 + " ms: the server stopped reading";
        if (armed && now - deadline > 0) return "closed (the server did not take the goodbye in time)";
        return null;
    }
}
