package org.roundtable.bench.load;

import java.util.Arrays;

/** Latency samples in nanoseconds, recorded on the load loop; percentiles at the end. Not thread-safe. */
public final class LatencyRecorder {
    private long[] samples = new long[1 << 16];
    private int n;
    private volatile boolean on;

    public void start() { n = 0; on = true; }
    public void stop() { on = false; }

    public void record(long nanos) {
        if (!on || nanos < 0) return;
        if (n == samples.length) samples = Arrays.copyOf(samples, n * 2);
        samples[n++] = nanos;
    }

    public int count() { return n; }

    /** Percentile in microseconds (p in 0..100). */
    public double percentileUs(double p) {
        if (n == 0) return -1;
        long[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        int i = (int) Math.min(n - 1, Math.ceil(p / 100.0 * n) - 1);
        return s[Math.max(0, i)] / 1000.0;
    }
}
