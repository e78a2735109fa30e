package org.roundtable.mixer.compose;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A single-producer, single-consumer ring of preallocated packet slots for one video source: the media
 * loop copies each RTP packet in ({@link #offer}), the composition thread drains them ({@link #drain}).
 * No allocation and no lock per packet; a full ring drops the packet (counted: the frame it belonged to
 * breaks, and the assembler asks for a key frame). 256 slots hold about 8 frames of 720p video.
 * Thread: offer on the media loop, drain on the composition thread.
 */
final class VideoInbox {
    static final int SLOTS = 256, MAX_PACKET = 1500;
    private final byte[][] slots = new byte[SLOTS][MAX_PACKET];
    private final int[] lens = new int[SLOTS];
    private final long[] arrivals = new long[SLOTS];
    private final AtomicLong head = new AtomicLong(), tail = new AtomicLong();
    /** Packets dropped because the ring was full or the packet too big (producer side). */
    volatile long dropped;

    interface Sink { void packet(byte[] a, int off, int len, long arrivalMs); }

    /** Producer: copies the whole RTP packet; false (and counted) if full or too big. */
    boolean offer(byte[] src, int off, int len, long nowMs) {
        long t = tail.get();
        if (t - head.get() >= SLOTS || len > MAX_PACKET) { dropped++; return false; }
        int i = (int) (t & (SLOTS - 1));
        System.arraycopy(src, off, slots[i], 0, len);
        lens[i] = len;
        arrivals[i] = nowMs;
        tail.lazySet(t + 1);
        return true;
    }

    /** Consumer: hands every queued packet to sink (the slot is reused after the call). */
    int drain(Sink sink) {
        long h = head.get(), t = tail.get();
        int n = 0;
        for (; h < t; h++, n++) {
            int i = (int) (h & (SLOTS - 1));
            sink.packet(slots[i], 0, lens[i], arrivals[i]);
        }
        head.lazySet(h);
        return n;
    }
}
