package org.roundtable.bridge.metrics;

/**
 * One named step of the packet walk (jitsi-media-transform's pipeline nodes): how many packets entered
 * it, how many it dropped, and the time it took, measured on the walks {@link Pipeline} samples. The
 * counters are plain fields, written by the media loop only and read by the Prometheus scrape as they are
 * (a scrape may see a value a few packets old). Thread: the media loop writes; any thread reads.
 */
public final class PipelineStep {
    public final String path, name;
    long packets, dropped, sampledNanos;

    PipelineStep(String path, String name) {
        this.path = path;
        this.name = name;
    }

    /** A packet enters the step. */
    public void in() { packets++; }

    /** The step dropped the packet it was given (the reason is counted by {@link BridgeMetrics#drop}). */
    public void drop() { dropped++; }

    /** Adds the time since t0 (a sampled walk only) and returns now, the next step's start. */
    public long lap(long t0) {
        long now = System.nanoTime();
        sampledNanos += now - t0;
        return now;
    }

    public long packets() { return packets; }
    public long dropped() { return dropped; }
}
