package org.roundtable.mixer.video;

import java.util.Arrays;
import java.util.function.Consumer;
import org.roundtable.bridge.rtp.RtpPacket;

/**
 * Builds complete encoded frames from the RTP packets of one video source, for a decoder.
 *
 * <p>Two stages. <b>Order:</b> packets are taken in arrival order; the one expected next goes straight
 * on, one ahead of it waits in a small window (copied into a preallocated slot). A missing packet is
 * given up on — lost — when a packet arrives {@code window} or more ahead of it, or when a packet held
 * behind it has waited {@code maxWaitMs} (checked at each push: there is no timer). Duplicates and
 * packets behind the stream are dropped. Sequence numbers wrap at 65535; a jump of 1024 or more ahead,
 * or 4 packets in a row more than the 256-packet history behind, are taken as a restarted stream. <b>Frames:</b> in sequence order, a
 * frame is the packets of one RTP timestamp; it ends at the marker bit or when the timestamp changes.
 * It is complete when it has its start (after a loss, only a packet the payload format marks as a frame
 * start), its end, no gap between, and the {@link Depacketizer} accepts every payload. At the start
 * of a stream, packets wait until one at the head is marked as a frame start (an earlier packet moves
 * the head back), or until the window or the wait gives up on what came before.
 *
 * <p>A broken frame is dropped, and from then on every frame until the next key frame (a decoder could
 * not use them); until the first key frame likewise. While waiting for a key frame,
 * {@code keyframeNeeded} is called at each loss and each dropped frame, at most once per
 * {@value #KEYFRAME_REQUEST_INTERVAL_MS} ms of the caller's clock ({@code nowMs}: no clock is read
 * here). A stream that starts with a key frame asks for nothing.
 *
 * <p>Padding (RFC 3550 P bit) is removed; padding-only packets keep the sequence but carry nothing.
 * No allocation per packet: payloads go from the caller's array, or a held slot, into one reused
 * {@link FrameBuffer}, and one {@link EncodedFrame} instance is handed out each time: the consumer
 * must use or copy it within the call. The callbacks must not call back into the assembler.
 * Thread: the composition's thread; not thread-safe.
 */
public final class FrameAssembler {
    public static final int DEFAULT_WINDOW = 16;
    public static final long DEFAULT_MAX_WAIT_MS = 150;
    public static final long KEYFRAME_REQUEST_INTERVAL_MS = 300;
    private static final int HISTORY = 256;
    private static final int RESTART_RUN = 4, RESTART_JUMP = 1024;

    private final Depacketizer depack;
    private final Consumer<EncodedFrame> onFrame;
    private final Runnable keyframeNeeded;
    private final int window;
    private final long maxWaitMs;

    private final byte[][] slot;
    private final int[] slotLen, slotSeq;
    private final long[] slotTs, slotAt;
    private final boolean[] slotMarker, slotFull;
    private int held;
    private final int[] history = new int[HISTORY];   // seq of a packet taken at seq & (HISTORY-1)
    private boolean started, primed;               // primed: a packet has been taken since the start
    private int nextSeq, highest, farBehind;
    private long now;

    private final FrameBuffer buf;
    private final EncodedFrame frame;
    private boolean active, broken, gapBefore = true, waitingKey = true, requested, quiet;
    private long frameTs, frameAt, lastRequestMs;
    private int framePackets;

    /** Packets pushed, frames and key frames emitted, packets counted lost (never arrived in time). */
    public long packets, frames, keyframes, lost;
    /** Packets dropped, by reason; padding-only packets carry nothing and are counted apart. */
    public long droppedDuplicate, droppedLate, droppedBrokenFrame, droppedWaitingKeyframe, droppedInvalid;
    public long paddingOnly;
    /** Frames dropped as broken, calls to keyframeNeeded, sequence jumps taken as a new stream. */
    public long brokenFrames, keyframeRequests, restarts;

    public FrameAssembler(VideoCodec codec, Consumer<EncodedFrame> onFrame, Runnable keyframeNeeded) {
        this(codec, onFrame, keyframeNeeded, DEFAULT_WINDOW, DEFAULT_MAX_WAIT_MS);
    }

    /** @param window packets held ahead of a gap: a power of two, 2 to 128 */
    public FrameAssembler(VideoCodec codec, Consumer<EncodedFrame> onFrame, Runnable keyframeNeeded,
            int window, long maxWaitMs) {
        if (window < 2 || window > HISTORY / 2 || Integer.bitCount(window) != 1) throw new IllegalArgumentException("window " + window);
        this.depack = codec == VideoCodec.VP8 ? new Vp8Depacketizer() : new H264Depacketizer();
        this.onFrame = onFrame;
        this.keyframeNeeded = keyframeNeeded;
        this.window = window;
        this.maxWaitMs = maxWaitMs;
        slot = new byte[window][1500];
        slotLen = new int[window];
        slotSeq = new int[window];
        slotTs = new long[window];
        slotAt = new long[window];
        slotMarker = new boolean[window];
        slotFull = new boolean[window];
        Arrays.fill(history, -1);
        buf = new FrameBuffer();
        frame = new EncodedFrame(codec, buf.array(), 0, 0, false, 0, 0, 0);
    }

    /** The payload format's depacketizer (its counters: malformed, unsupported). */
    public Depacketizer depacketizer() { return depack; }

    /** Whether frames are being dropped until a key frame. */
    public boolean waitingForKeyframe() { return waitingKey; }

    /** Takes one RTP packet, a[off, off+len), that arrived at nowMs. */
    public void push(byte[] a, int off, int len, long nowMs) {
        packets++;
        now = nowMs;
        if (!RtpPacket.isValid(a, off, len)) { droppedInvalid++; return; }
        int seq = RtpPacket.sequence(a, off);
        if (!started) { started = true; primed = false; nextSeq = highest = seq; }
        int d = (seq - nextSeq) & 0xFFFF;
        if (!primed && d >= 0x8000 && ((highest - seq) & 0xFFFF) < window) {
            nextSeq = seq;                                   // before the first taken: the stream starts earlier
            d = 0;
        }
        if (d >= 0x8000) {
            int behind = 0x10000 - d;
            if (behind <= HISTORY || ++farBehind < RESTART_RUN) {
                if (behind <= HISTORY) farBehind = 0;
                if (behind <= HISTORY && history[seq & (HISTORY - 1)] == seq) droppedDuplicate++;
                else droppedLate++;
                expire();
                return;
            }
            restart(seq);
        }
        farBehind = 0;
        d = (seq - nextSeq) & 0xFFFF;
        if (d >= RESTART_JUMP) restart(seq);
        else if (d >= window) {
            skipTo((seq - window + 1) & 0xFFFF);
            drain();
        }
        int i = seq & (window - 1);
        if (slotFull[i] && slotSeq[i] == seq) { droppedDuplicate++; expire(); return; }
        int hl = RtpPacket.headerLength(a, off, len);
        int plen = RtpPacket.payloadLength(a, off, len);
        long ts = RtpPacket.timestamp(a, off);
        boolean marker = RtpPacket.marker(a, off);
        if (!primed && ((seq - highest) & 0xFFFF) < 0x8000) highest = seq;
        if (seq == nextSeq && (primed || plen == 0 || depack.isFrameStart(a, off + hl, plen))) {
            take(seq, ts, marker, a, off + hl, plen, nowMs);
            nextSeq = (nextSeq + 1) & 0xFFFF;
            drain();
        } else {
            if (slot[i].length < plen) slot[i] = new byte[plen];
            System.arraycopy(a, off + hl, slot[i], 0, plen);
            slotLen[i] = plen;
            slotSeq[i] = seq;
            slotTs[i] = ts;
            slotAt[i] = nowMs;
            slotMarker[i] = marker;
            slotFull[i] = true;
            held++;
        }
        expire();
    }

    /**
     * The end of the input (or a long pause): takes the held packets, drops a frame that has not ended
     * (it cannot be known whole) and starts over: the next packet begins a new stream that waits for a
     * key frame.
     */
    public void flush(long nowMs) {
        now = nowMs;
        quiet = true;
        while (held > 0) skipTo((nextSeq + 1) & 0xFFFF);
        if (active) { broken = true; endFrame(); }
        quiet = false;
        started = false;
        gapBefore = true;
        waitingKey = true;
    }

    private void restart(int seq) {
        while (held > 0) skipTo((nextSeq + 1) & 0xFFFF);
        restarts++;
        gap(0);
        nextSeq = seq;
        farBehind = 0;
    }

    /** Gives up on the gap before the first held packet once a held packet has waited maxWaitMs. */
    private void expire() {
        while (held > 0) {
            int first = -1;
            long oldest = Long.MAX_VALUE;
            for (int k = 0, s = nextSeq; k < window; k++, s = (s + 1) & 0xFFFF) {
                int j = s & (window - 1);
                if (!slotFull[j]) continue;
                if (first < 0) first = s;
                oldest = Math.min(oldest, slotAt[j]);
            }
            if (now - oldest < maxWaitMs) return;
            skipTo(first);
            drain();
        }
    }

    /** Moves the stream on to target: held packets before it are taken, missing ones are lost. */
    private void skipTo(int target) {
        int run = 0;
        while (nextSeq != target) {
            if (held == 0) { run += (target - nextSeq) & 0xFFFF; nextSeq = target; break; }
            int i = nextSeq & (window - 1);
            if (slotFull[i] && slotSeq[i] == nextSeq) {
                if (run > 0) { gap(run); run = 0; }
                takeSlot(i);
            } else run++;
            nextSeq = (nextSeq + 1) & 0xFFFF;
        }
        if (run > 0) gap(run);
    }

    /** Takes the held packets that continue the stream without a gap. */
    private void drain() {
        while (held > 0) {
            int i = nextSeq & (window - 1);
            if (!slotFull[i] || slotSeq[i] != nextSeq) return;
            takeSlot(i);
            nextSeq = (nextSeq + 1) & 0xFFFF;
        }
    }

    private void takeSlot(int i) {
        slotFull[i] = false;
        held--;
        take(slotSeq[i], slotTs[i], slotMarker[i], slot[i], 0, slotLen[i], slotAt[i]);
    }

    /** The frame stage: one packet in sequence order. */
    private void take(int seq, long ts, boolean marker, byte[] b, int p, int n, long at) {
        primed = true;
        history[seq & (HISTORY - 1)] = seq;
        if (n == 0) { paddingOnly++; return; }
        if (active && ts != frameTs) endFrame();            // the previous frame ended without a marker
        if (!active) {
            active = true;
            frameTs = ts;
            frameAt = at;
            framePackets = 0;
            buf.reset();
            depack.reset();
            broken = gapBefore && !depack.isFrameStart(b, p, n);
        }
        gapBefore = false;
        framePackets++;
        frameAt = Math.max(frameAt, at);
        if (!broken && !depack.append(b, p, n, buf)) broken = true;
        if (marker) endFrame();
    }

    private void gap(int n) {
        lost += n;
        if (active) broken = true;
        gapBefore = true;
        waitingKey = true;
        requestKeyframe();
    }

    private void endFrame() {
        active = false;
        if (broken || !depack.finish(buf)) {
            brokenFrames++;
            droppedBrokenFrame += framePackets;
            waitingKey = true;
            requestKeyframe();
            return;
        }
        boolean key = depack.keyframe();
        if (waitingKey && !key) {
            droppedWaitingKeyframe += framePackets;
            requestKeyframe();
            return;
        }
        waitingKey = false;
        frames++;
        if (key) keyframes++;
        frame.set(depack.codec(), buf.array(), buf.length(), frameTs, key, depack.width(), depack.height(), frameAt);
        onFrame.accept(frame);
    }

    private void requestKeyframe() {
        if (quiet || requested && now - lastRequestMs < KEYFRAME_REQUEST_INTERVAL_MS) return;
        requested = true;
        lastRequestMs = now;
        keyframeRequests++;
        keyframeNeeded.run();
    }
}
