package org.roundtable.mixer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A single-producer, single-consumer ring of preallocated payload slots: the media loop copies each
 * packet in ({@link #offer}), the mixer tick drains it into the jitter buffer ({@link #drainTo}). No
 * allocation and no lock per packet; a full ring drops the packet (counted).
 * Thread: offer on one producer thread (the media loop), drainTo on one consumer (the mixer tick).
 */
final class PacketRing {
    static final int SLOTS = 16;
    private final byte[][] payloads = new byte[SLOTS][JitterBuffer.MAX_PAYLOAD];
    private final int[] lens = new int[SLOTS], seqs = new int[SLOTS], levels = new int[SLOTS];
    private final long[] tss = new long[SLOTS];
    private final AtomicLong head = new AtomicLong(), tail = new AtomicLong();
    /** Packets dropped because the ring was full or the payload too big (producer side). */
    long dropped;

    /** Producer: copies the payload into the next free slot; false (and counted) if full or too big. */
    boolean offer(int seq, byte[] src, int off, int len, int level) { return offer(seq, 0, src, off, len, level); }

    /** The same with the packet's RTP time stamp, which the jitter buffer hands back with the frame. */
    boolean offer(int seq, long ts, byte[] src, int off, int len, int level) {
        long t = tail.get();
        if (t - head.get() >= SLOTS || len > JitterBuffer.MAX_PAYLOAD) { dropped++; return false; }
        int i = (int) (t & (SLOTS - 1));
        System.arraycopy(src, off, payloads[i], 0, len);
        lens[i] = len;
        seqs[i] = seq;
        levels[i] = level;
        tss[i] = ts;
        tail.lazySet(t + 1);        // publishes the slot's contents
        return true;
    }

    /** Consumer: moves every queued packet into the jitter buffer (which copies it). */
    void drainTo(JitterBuffer jitter) {
        long h = head.get(), t = tail.get();
        for (; h < t; h++) {
            int i = (int) (h & (SLOTS - 1));
            jitter.push(seqs[i], payloads[i], 0, lens[i], levels[i], tss[i]);
        }
        head.lazySet(h);            // frees the slots
    }
}
