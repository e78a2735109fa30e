package org.roundtable.streaming.hls;

/**
 * How an {@link HlsStream} cuts and keeps its media. {@code segmentMillis}: the segment target (a segment
 * ends at the first key frame at or after it; the composition's GOP is 2 s); {@code partMillis}: the
 * longest a partial segment may last (the playlist's PART-TARGET); {@code windowSegments}: how many
 * complete segments the live playlist keeps; {@code maxWaiters}: blocked requests a stream holds at most
 * (more get 503). Immutable; any thread.
 */
public record HlsConfig(int segmentMillis, int partMillis, int windowSegments, int maxWaiters) {
    public HlsConfig {
        if (segmentMillis < 500 || segmentMillis > 30_000) throw new IllegalArgumentException("segment target " + segmentMillis + " ms");
        if (partMillis < 100 || partMillis * 2 > segmentMillis) throw new IllegalArgumentException("part target " + partMillis + " ms");
        if (windowSegments < 3) throw new IllegalArgumentException("window of " + windowSegments + " segments");
        if (maxWaiters < 1) throw new IllegalArgumentException("maxWaiters " + maxWaiters);
    }

    /** 2 s segments, parts of at most 334 ms (ten frames at 30 fps), the last 6 segments, 10,000 blocked requests. */
    public static HlsConfig defaults() { return new HlsConfig(2000, 334, 6, 10_000); }

    /** EXT-X-TARGETDURATION: whole seconds, never changed during a stream. */
    int targetDurationSeconds() { return (segmentMillis + 999) / 1000; }

    /** A segment longer than this would round above the target duration: cut it even without a key frame. */
    long maxSegmentMicros() { return targetDurationSeconds() * 1_000_000L + 499_000; }

    /** How long a blocking request may wait: three target durations (then 503). */
    long blockTimeoutMillis() { return 3000L * targetDurationSeconds(); }

    /** Parts a segment normally holds. */
    int partsPerSegment() { return (segmentMillis + partMillis - 1) / partMillis; }

    /** How many parts past the last one a blocking request may ask for (RFC 8216bis 6.2.5.2). */
    int advancePartLimit() { return partMillis < 1000 ? 3000 / partMillis : 3; }
}
