package org.roundtable.bridge.router;

import io.netty.buffer.ByteBuf;

/**
 * The last packets of one video source ({@code roundtable.bridge.tuning.nack-cache-packets}, a power of
 * two; {@value #SIZE} by default), keyed by sequence number, kept by retaining the received buffer (no
 * copy). Answers NACKs from receivers. Thread: the media loop.
 */
public final class RetransmissionCache {
    /** The default size. */
    public static final int SIZE = 512;
    private final int mask;
    private final ByteBuf[] bufs;
    private final int[] offs, lens, hdrs, seqs;
    private final long[] atMs;

    public RetransmissionCache() { this(SIZE); }

    /** size: a power of two. */
    public RetransmissionCache(int size) {
        if (size < 1 || Integer.bitCount(size) != 1) throw new IllegalArgumentException("the cache size must be a power of two: " + size);
        mask = size - 1;
        bufs = new ByteBuf[size];
        offs = new int[size]; lens = new int[size]; hdrs = new int[size]; seqs = new int[size];
        atMs = new long[size];
    }

    /** Slots: packets kept at most. */
    public int size() { return bufs.length; }

    public void put(ByteBuf buf, int off, int len, int hdr, int seq, long nowMs) {
        int i = seq & mask;
        if (bufs[i] != null) bufs[i].release();
        bufs[i] = buf.retain();
        offs[i] = off; lens[i] = len; hdrs[i] = hdr; seqs[i] = seq; atMs[i] = nowMs;
    }

    /** Slot index holding seq, or -1; packets older than maxAgeMs are not offered. */
    public int find(int seq, long nowMs, long maxAgeMs) {
        int i = seq & mask;
        return bufs[i] != null && seqs[i] == seq && nowMs - atMs[i] <= maxAgeMs ? i : -1;
    }

    public ByteBuf buf(int i) { return bufs[i]; }
    public int off(int i) { return offs[i]; }
    public int len(int i) { return lens[i]; }
    public int hdr(int i) { return hdrs[i]; }

    public void clear() {
        for (int i = 0; i < bufs.length; i++) if (bufs[i] != null) { bufs[i].release(); bufs[i] = null; }
    }
}
