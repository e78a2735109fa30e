package org.roundtable.streaming.hls;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HLS output's counts over all streams of a server, for /metrics ({@code StreamingMetrics}): requests
 * by kind and status, bytes served, blocked requests (waiting now, timed out), packaging counts and frames
 * dropped by reason, and the live streams (for their viewers). Thread-safe; written by HTTP threads, the
 * composition threads and the timer, read by the scraper.
 */
public final class HlsMetrics {
    /** What a request asked for. */
    public enum Kind { PLAYLIST, BLOCKING_PLAYLIST, INIT, SEGMENT, PART, OTHER }

    /** Why a frame given to a stream was not packaged. */
    public enum Drop { NOT_OPEN, BEFORE_KEY_FRAME, OUT_OF_ORDER }

    /** The statuses counted one by one; others are counted as "other". */
    public static final int[] STATUSES = {200, 204, 400, 403, 404, 405, 503};

    private final LongAdder[][] requests = new LongAdder[Kind.values().length][STATUSES.length + 1];
    private final LongAdder bytes = new LongAdder();
    private final LongAdder[] drops = new LongAdder[Drop.values().length];
    private final LongAdder parts = new LongAdder(), segments = new LongAdder(), forcedCuts = new LongAdder();
    private final LongAdder timeouts = new LongAdder(), refused = new LongAdder(), wakeRejected = new LongAdder();
    private final AtomicLong waiting = new AtomicLong();
    private final Set<HlsStream> streams = ConcurrentHashMap.newKeySet();

    public HlsMetrics() {
        for (LongAdder[] row : requests) for (int i = 0; i < row.length; i++) row[i] = new LongAdder();
        for (int i = 0; i < drops.length; i++) drops[i] = new LongAdder();
    }

    void request(Kind kind, int status, long bodyBytes) {
        requests[kind.ordinal()][statusIndex(status)].increment();
        if (bodyBytes > 0) bytes.add(bodyBytes);
    }

    void countDrop(Drop why) { drops[why.ordinal()].increment(); }

    void countPart() { parts.increment(); }

    void countSegment(boolean forced) {
        segments.increment();
        if (forced) forcedCuts.increment();
    }

    void waiting(int delta) { waiting.addAndGet(delta); }

    void countTimeout() { timeouts.increment(); }

    void countRefused() { refused.increment(); }

    void countWakeRejected() { wakeRejected.increment(); }

    void add(HlsStream s) { streams.add(s); }

    void remove(HlsStream s) { streams.remove(s); }

    /** Requests of a kind answered with a status (a status not in {@link #STATUSES}: pass -1 for all others). */
    public long requests(Kind kind, int status) { return requests[kind.ordinal()][statusIndex(status)].sum(); }

    public long bytesServed() { return bytes.sum(); }

    public long dropped(Drop why) { return drops[why.ordinal()].sum(); }

    public long parts() { return parts.sum(); }

    public long segments() { return segments.sum(); }

    /** Segments cut without a key frame (the key frame was too late for the target duration). */
    public long forcedCuts() { return forcedCuts.sum(); }

    /** Blocked requests held now. */
    public long waiting() { return waiting.get(); }

    /** Blocked requests answered 503 after three target durations. */
    public long timeouts() { return timeouts.sum(); }

    /** Blocking requests refused (503 at once) because a stream held its maximum. */
    public long refused() { return refused.sum(); }

    /** Times the executor refused to answer waiters (they were answered by a later publication). */
    public long wakeRejected() { return wakeRejected.sum(); }

    /** Streams open now (opened or created, not closed). */
    public int streams() { return streams.size(); }

    /** Viewers of all open streams (each stream's distinct clients of the last 15 s). */
    public long viewers() {
        long n = 0;
        for (HlsStream s : streams) n += s.stats().viewers();
        return n;
    }

    static int statusIndex(int status) {
        for (int i = 0; i < STATUSES.length; i++) if (STATUSES[i] == status) return i;
        return STATUSES.length;
    }
}
