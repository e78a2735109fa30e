package org.roundtable.mixer;

/**
 * Orders one input's packets by sequence number and hands one frame per 20 ms tick. Playout starts
 * once two frames are buffered (40 ms); a missing frame gives null (the decoder conceals); a late
 * packet is dropped; if the buffer runs more than 8 frames ahead it skips to catch up. A late or lost
 * packet never stalls the mix. Thread: push on the producer side is confined by the caller; here,
 * both push and pop run on the mixer tick.
 */
public final class JitterBuffer {
    private static final int SLOTS = 32;
    private final byte[][] payloads = new byte[SLOTS][];
    private final int[] lens = new int[SLOTS];
    private final int[] seqs = new int[SLOTS];
    private final int[] tags = new int[SLOTS];
    private boolean started, primed;
    private int next;        // next sequence number to play
    private int highest;
    public long late, lost, played;

    public void push(int seq, byte[] payload, int len) { push(seq, payload, len, 0); }

    /** tag: anything the caller wants back with the frame (the mixer keeps the RFC 6464 level). */
    public void push(int seq, byte[] payload, int len, int tag) {
        if (!started) { started = true; next = seq; highest = seq; }
        int d = (seq - next) & 0xFFFF;
        if (d >= 0x8000) { late++; return; }             // behind the playout point
        if (d >= SLOTS) {                                  // far ahead: we fell behind, skip forward
            next = (seq - 2) & 0xFFFF;
            for (int i = 0; i < SLOTS; i++) payloads[i] = null;
        }
        int i = seq & (SLOTS - 1);
        payloads[i] = payload;
        lens[i] = len;
        seqs[i] = seq;
        tags[i] = tag;
        if (((seq - highest) & 0xFFFF) < 0x8000) highest = seq;
    }

    /** Buffered frames ahead of the playout point. */
    public int depth() { return started ? ((highest - next + 1) & 0xFFFF) : 0; }

    /** The next frame's payload (length in lastLen), or null for silence/concealment. */
    public byte[] pop() {
        lastLen = 0;
        lastTag = 0;
        if (!started) return null;
        if (!primed) {
            if (depth() < 2) return null;
            primed = true;
        }
        int ahead = (highest - next) & 0xFFFF;
        if (ahead >= 0x8000) return null;                 // played everything: the input paused, wait
        if (ahead > 8) next = (highest - 2) & 0xFFFF;     // too far behind real time: catch up
        int i = next & (SLOTS - 1);
        byte[] p = payloads[i];
        boolean ok = p != null && seqs[i] == next;
        payloads[i] = null;
        if (ok) { lastLen = lens[i]; lastTag = tags[i]; played++; } else lost++;
        next = (next + 1) & 0xFFFF;
        return ok ? p : null;
    }

    public int lastLen, lastTag;
}
