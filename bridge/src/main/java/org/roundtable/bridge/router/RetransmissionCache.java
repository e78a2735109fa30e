package org.roundtable.bridge.router;

import io.netty.buffer.ByteBuf;

/**
 * The last {@value #SIZE} packets of one video source, keyed by sequence number, kept by retaining the
 * received buffer (no copy). Answers NACKs from receivers. Thread: the media loop.
 */
public final class RetransmissionCache {
    public static final int SIZE = 512;
    private final ByteBuf[] bufs = new ByteBuf[SIZE];
    private final int[] offs = new int[SIZE], lens = new int[SIZE], hdrs = new int[SIZE], seqs = new int[SIZE];
    private final long[] atMs = new long[SIZE];

    public void put(ByteBuf buf, int off, int len, int hdr, int seq, long nowMs) {
        int i = seq & (SIZE - 1);
        if (bufs[i] != null) bufs[i].release();
        bufs[i] = buf.retain();
        offs[i] = off; lens[i] = len; hdrs[i] = hdr; seqs[i] = seq; atMs[i] = nowMs;
    }

    /** Slot index holding seq, or -1; packets older than maxAgeMs are not offered. */
    public int find(int seq, long nowMs, long maxAgeMs) {
        int i = seq & (SIZE - 1);
        return bufs[i] != null && seqs[i] == seq && nowMs - atMs[i] <= maxAgeMs ? i : -1;
    }

    public ByteBuf buf(int i) { return bufs[i]; }
    public int off(int i) { return offs[i]; }
    public int len(int i) { return lens[i]; }
    public int hdr(int i) { return hdrs[i]; }

    public void clear() {
        for (int i = 0; i < SIZE; i++) if (bufs[i] != null) { bufs[i].release(); bufs[i] = null; }
    }
}
