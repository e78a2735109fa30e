package org.roundtable.bridge.router;

/**
 * The pure "decide" step for one outgoing stream (LiveKit's forwarder idea): given an incoming packet's
 * SSRC, sequence number and timestamp, decide whether to forward it and with which outgoing sequence
 * number and timestamp. Keeps the outgoing stream continuous when the source restarts (new SSRC) and
 * holds video until a key frame so a receiver never starts on an undecodable frame.
 * Thread: the media loop (one instance per receiver stream).
 */
public final class StreamRewriter {
    private final boolean video;
    private final int clockRate;
    private boolean started;
    private int srcSsrc;
    private int seqDelta;
    private long tsDelta;
    private int lastOutSeq;
    private long lastOutTs;
    private long lastOutAtMs;
    /** Results of the last accept(). */
    public int outSeq;
    public long outTs;

    public StreamRewriter(boolean video, int clockRate, int initialSeq, long initialTs) {
        this.video = video;
        this.clockRate = clockRate;
        this.lastOutSeq = (initialSeq - 1) & 0xFFFF;
        this.lastOutTs = initialTs & 0xFFFFFFFFL;
    }

    public boolean started() { return started; }

    /**
     * The source was paused (host mute, camera off) and resumes now: re-base on the next packet (for video,
     * the next key frame) so the receiver sees a continuous stream with no gap to NACK.
     */
    public void restart() { started = false; }

    /** Returns true and sets outSeq/outTs if the packet is to be forwarded. */
    public boolean accept(int ssrc, int seq, long ts, boolean keyframe, long nowMs) {
        if (!started || ssrc != srcSsrc) {
            // lastOutAtMs == 0 means nothing was sent yet
            if (video && !keyframe) return false;
            // (Re)base: the first packet continues right after what this receiver last got.
            long elapsedTicks = started || lastOutAtMs != 0 ? Math.max(1, (nowMs - lastOutAtMs) * clockRate / 1000) : 0;
            seqDelta = (lastOutSeq + 1 - seq) & 0xFFFF;
            tsDelta = (lastOutTs + elapsedTicks - ts) & 0xFFFFFFFFL;
            srcSsrc = ssrc;
            started = true;
        }
        outSeq = (seq + seqDelta) & 0xFFFF;
        outTs = (ts + tsDelta) & 0xFFFFFFFFL;
        if (((outSeq - lastOutSeq) & 0xFFFF) < 0x8000) { // newer than the last one sent
            lastOutSeq = outSeq;
            lastOutTs = outTs;
            lastOutAtMs = nowMs;
        }
        return true;
    }

    /** Maps an outgoing sequence number (from a NACK) back to the source's, or -1 if not from the current source. */
    public int sourceSeq(int outSeq) {
        return started ? (outSeq - seqDelta) & 0xFFFF : -1;
    }

    public long toOutTs(long srcTs) { return (srcTs + tsDelta) & 0xFFFFFFFFL; }
    /** The source's RTP time of an outgoing one (current source). */
    public long toSourceTs(long outTs) { return (outTs - tsDelta) & 0xFFFFFFFFL; }
    public int lastOutSeq() { return lastOutSeq; }
    public long lastOutTs() { return lastOutTs; }
    public long lastOutAtMs() { return lastOutAtMs; }
    public int clockRate() { return clockRate; }
}
