package org.roundtable.mixer.compose;

import java.util.concurrent.atomic.AtomicLong;
import org.roundtable.mixer.AudioCodec;

/**
 * The meeting mix on its way to the composition: 20 ms frames of 48 kHz mono PCM in preallocated slots,
 * copied in on the mixer's tick and drained on the composition thread. 64 slots (1.28 s) absorb a
 * stalled encoder; a full ring drops the frame (counted) and the file's audio clock still advances by it,
 * so sound stays in sync with pictures. Thread: offer on the mixer tick, drain on the composition thread.
 */
final class PcmRing {
    static final int SLOTS = 64;
    private final short[][] frames = new short[SLOTS][AudioCodec.FRAME];
    private final long[] mixedAt = new long[SLOTS];
    private final AtomicLong head = new AtomicLong(), tail = new AtomicLong();
    volatile long dropped;

    /** A frame and when the mixer made it (System.nanoTime). */
    interface Sink { void frame(short[] pcm, long mixedAtNanos); }

    boolean offer(short[] pcm, long nowNanos) {
        long t = tail.get();
        if (t - head.get() >= SLOTS) { dropped++; return false; }
        System.arraycopy(pcm, 0, frames[(int) (t & (SLOTS - 1))], 0, AudioCodec.FRAME);
        mixedAt[(int) (t & (SLOTS - 1))] = nowNanos;
        tail.lazySet(t + 1);
        return true;
    }

    int drain(Sink sink) {
        long h = head.get(), t = tail.get();
        int n = 0;
        for (; h < t; h++, n++) sink.frame(frames[(int) (h & (SLOTS - 1))], mixedAt[(int) (h & (SLOTS - 1))]);
        head.lazySet(h);
        return n;
    }
}
