package org.roundtable.mixer;

/**
 * Orders one input's packets by sequence number and hands one frame per 20 ms tick. Playout starts
 * once two frames are buffered (40 ms); a missing frame gives null (the decoder conceals); a late
 * packet is dropped; if the buffer runs more than 8 frames ahead it skips to catch up. A late or lost
 * packet never stalls the mix. Payloads are copied into preallocated slots (no allocation per packet).
 * Thread: push and pop both run on the mixer tick.
 */
public final class JitterBuffer {
    /** The largest payload kept: a 20 ms Opus frame is at most 1,275 bytes. */
    public static final int MAX_PAYLOAD = 1280;
    private static final int SLOTS = 32;
    private final byte[][] payloads = new byte[SLOTS][MAX_PAYLOAD];
    private final boolean[] present = new boolean[SLOTS];
    private final int[] lens = new int[SLOTS];
    private final int[] seqs = new int[SLOTS];
    private final int[] tags = new int[SLOTS];
    private final long[] tss = new long[SLOTS];
    private boolean started, primed;
    private int next;        // next sequence number to play
    private int highest;
    public long late, lost, played, oversize;

    /**
     * Copies a packet's payload in. tag: anything the caller wants back with the frame (the mixer keeps
     * the RFC 6464 level).
     */
    public void push(int seq, byte[] src, int off, int len, int tag) { push(seq, src, off, len, tag, 0); }

    /** The same with the packet's RTP time stamp (lastTs after the frame's pop). */
    public void push(int seq, byte[] src, int off, int len, int tag, long ts) {
        if (len > MAX_PAYLOAD) { oversize++; return; }
        if (!started) { started = true; next = seq; highest = seq; }
        int d = (seq - next) & 0xFFFF;
        if (d >= 0x8000) { late++; return; }             // behind the playout point
        if (d >= SLOTS) {                                  // far ahead: we fell behind, skip forward
            next = (seq - 2) & 0xFFFF;
            java.util.Arrays.fill(present, false);
        }
        int i = seq & (SLOTS - 1);
        System.arraycopy(src, off, payloads[i], 0, len);
        present[i] = true;
        lens[i] = len;
        seqs[i] = seq;
        tags[i] = tag;
        tss[i] = ts;
        if (((seq - highest) & 0xFFFF) < 0x8000) highest = seq;
    }

    /** Buffered frames ahead of the playout point. */
    public int depth() { return started ? ((highest - next + 1) & 0xFFFF) : 0; }

    /**
     * The next frame's payload (length in lastLen), or null for silence/concealment. The array is the
     * slot's own: valid until the next push.
     */
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
        boolean ok = present[i] && seqs[i] == next;
        present[i] = false;
        if (ok) { lastLen = lens[i]; lastTag = tags[i]; lastTs = tss[i]; played++; } else lost++;
        next = (next + 1) & 0xFFFF;
        return ok ? payloads[i] : null;
    }

    public int lastLen, lastTag;
    /** The RTP time stamp of the frame last popped (when one was). */
    public long lastTs;
}
