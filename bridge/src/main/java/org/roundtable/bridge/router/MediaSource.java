package org.roundtable.bridge.router;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import org.roundtable.bridge.metrics.Pipeline;
import org.roundtable.bridge.rtp.Keyframes;
import org.roundtable.bridge.rtp.RtpPacket;

/**
 * One published track in a meeting (mediasoup's Producer): a participant's microphone or camera, or a
 * WHIP stream. Keeps receive statistics for RTCP receiver reports, a retransmission cache for video, and
 * the list of {@link Subscription}s it fans out to. Thread: the media loop, apart from the immutable fields.
 */
public final class MediaSource {
    public interface KeyframeRequester { void requestKeyframe(MediaSource source); }

    public final String id;
    public final String ownerId;
    public final String mid;
    public final MediaKind kind;
    public final Keyframes.Codec codec;
    public final int clockRate;
    /** The publisher's payload types. */
    public final int payloadType, rtxPayloadType;
    public int ssrc, rtxSsrc;
    private final KeyframeRequester keyframes;
    private Subscription[] subs = new Subscription[0];
    public final RetransmissionCache cache;
    /** Content (screen share) rather than a camera or microphone. */
    public final boolean content;
    /** Set by host controls and self mute: nothing is forwarded while paused. */
    private volatile boolean paused;
    /** Counts pauses, so subscribers know to re-base their streams after one. */
    private volatile int pauseEpoch;
    /** RFC 6464 header extension id from the publisher's negotiation, or -1. */
    public int audioLevelExtId = -1;
    /** Recent audio levels as (127 - dBov), 0 silent .. 127 loudest, with arrival times: a 128-packet ring. */
    private final byte[] levels = new byte[128];
    private final long[] levelAtMs = new long[128];
    private int levelPos;

    // receive statistics (RFC 3550 A.1, A.3, A.8)
    private boolean seqInit;
    private int maxSeq, baseSeq, cycles;
    private long received, expectedPrior, receivedPrior;
    private double jitter;
    private long lastTransit;
    public long packets, bytes, lastPacketAtMs, lastKeyframeAtMs, lastPliAtMs;
    /** Middle 32 bits of the last SR's NTP time and when it arrived, for LSR/DLSR. */
    public long lastSrNtpMiddle, lastSrAtMs;
    /** The publisher's RTP time on its wall clock, from its SRs (A/V sync in recordings). */
    public final org.roundtable.bridge.rtp.SenderClock senderClock;

    public MediaSource(String id, String ownerId, String mid, MediaKind kind, Keyframes.Codec codec, int clockRate,
                       int payloadType, int rtxPayloadType, int ssrc, int rtxSsrc, KeyframeRequester keyframes, boolean content) {
        this(id, ownerId, mid, kind, codec, clockRate, payloadType, rtxPayloadType, ssrc, rtxSsrc, keyframes, content, RetransmissionCache.SIZE);
    }

    /** cachePackets: the video retransmission cache's size (a power of two; {@code nack-cache-packets}). */
    public MediaSource(String id, String ownerId, String mid, MediaKind kind, Keyframes.Codec codec, int clockRate,
                       int payloadType, int rtxPayloadType, int ssrc, int rtxSsrc, KeyframeRequester keyframes, boolean content,
                       int cachePackets) {
        this.content = content;
        this.id = id;
        this.ownerId = ownerId;
        this.mid = mid;
        this.kind = kind;
        this.codec = codec;
        this.clockRate = clockRate;
        this.payloadType = payloadType;
        this.rtxPayloadType = rtxPayloadType;
        this.ssrc = ssrc;
        this.rtxSsrc = rtxSsrc;
        this.keyframes = keyframes;
        this.cache = kind == MediaKind.VIDEO ? new RetransmissionCache(cachePackets) : null;
        this.senderClock = new org.roundtable.bridge.rtp.SenderClock(clockRate);
    }

    public void addSubscription(Subscription s) {
        Subscription[] n = Arrays.copyOf(subs, subs.length + 1);
        n[subs.length] = s;
        subs = n;
    }

    public void removeSubscription(Subscription s) {
        for (int i = 0; i < subs.length; i++) {
            if (subs[i] == s) {
                Subscription[] n = new Subscription[subs.length - 1];
                System.arraycopy(subs, 0, n, 0, i);
                System.arraycopy(subs, i + 1, n, i, subs.length - i - 1);
                subs = n;
                return;
            }
        }
    }

    public Subscription[] subscriptions() { return subs; }

    public boolean paused() { return paused; }
    public int pauseEpoch() { return pauseEpoch; }

    /** Stops or resumes forwarding (any thread). Resuming video asks the publisher for a key frame. */
    public void setPaused(boolean p, long nowMs) {
        if (paused == p) return;
        if (p) pauseEpoch++;
        paused = p;
        if (!p && kind == MediaKind.VIDEO) { lastPliAtMs = 0; requestKeyframe(nowMs); }
    }

    /**
     * Speech activity: the summed level of the packets louder than -87 dBov in the last 1.5 s. Continuous
     * speech scores thousands, a single cough about a hundred; silence and paused sources score 0.
     */
    public double loudness(long nowMs) {
        if (paused) return 0;
        int sum = 0;
        for (int i = 0; i < levels.length; i++) if (nowMs - levelAtMs[i] <= 1500 && levels[i] > 40) sum += levels[i];
        return sum;
    }

    /** Asks the publisher for a key frame, at most every 300 ms. */
    public void requestKeyframe(long nowMs) {
        if (kind != MediaKind.VIDEO || nowMs - lastPliAtMs < 300) return;
        lastPliAtMs = nowMs;
        keyframes.requestKeyframe(this);
    }

    /**
     * Takes one decrypted RTP packet: counts it, caches video, and hands it to every subscription.
     * The caller keeps ownership of buf.
     */
    public void route(ByteBuf buf, int off, int len, int hdr, long nowMs, boolean retransmission) {
        route(buf, off, len, hdr, nowMs, retransmission, Pipeline.UNCOUNTED, 0);
    }

    /**
     * The receive walk's last steps ({@link Pipeline}): stats, keyframe, cache, fanout. t: the walk's
     * clock when it is a timed one, else 0.
     */
    public void route(ByteBuf buf, int off, int len, int hdr, long nowMs, boolean retransmission, Pipeline p, long t) {
        route(buf, off, len, hdr, nowMs, retransmission, p, t, null);
    }

    /**
     * As above; batch, when given (the media loop's), holds the packet for a receiver-by-receiver fan-out
     * at the end of the read batch instead of handing it to each subscription now.
     */
    public void route(ByteBuf buf, int off, int len, int hdr, long nowMs, boolean retransmission, Pipeline p, long t, FanoutBatch batch) {
        byte[] a = buf.array();
        // stats: receive statistics for RTCP receiver reports, and the audio level for speaker detection
        p.stats.in();
        int seq = RtpPacket.sequence(a, off);
        if (!retransmission) updateStats(seq, RtpPacket.timestamp(a, off), nowMs);
        packets++;
        bytes += len;
        lastPacketAtMs = nowMs;
        if (audioLevelExtId > 0 && kind == MediaKind.AUDIO) {
            int e = RtpPacket.findOneByteExtension(a, off, len, audioLevelExtId);
            if (e > 0) {
                int level = 127 - (a[e] & 0x7F);      // RFC 6464: -dBov, 127 = silence
                levels[levelPos] = (byte) level;
                levelAtMs[levelPos] = nowMs;
                levelPos = (levelPos + 1) & (levels.length - 1);
            }
        }
        if (t != 0) t = p.stats.lap(t);
        boolean key = false;
        if (kind == MediaKind.VIDEO) {
            // keyframe: a receiver starts (or restarts) on a key frame only
            p.keyframe.in();
            int plen = RtpPacket.payloadLength(a, off, len);
            key = plen > 0 && Keyframes.isKeyframe(codec, a, off + hdr, plen);
            if (key) lastKeyframeAtMs = nowMs;
            if (t != 0) t = p.keyframe.lap(t);
            // cache: kept (retained, not copied) for NACKs
            p.cache.in();
            cache.put(buf, off, len, hdr, seq, nowMs);
            if (t != 0) p.cache.lap(t);
        }
        // fanout: each subscription runs the send walk (timed on its own), now or receiver by receiver at
        // the end of the read batch
        p.fanout.in();
        if (paused) { p.fanout.drop(); return; }
        if (batch != null) { batch.add(this, buf, off, len, hdr, key); return; }
        Subscription[] s = subs;
        for (Subscription sub : s) sub.onRtp(this, buf, off, len, hdr, key);
    }

    private void updateStats(int seq, long ts, long nowMs) {
        if (!seqInit) {
            seqInit = true;
            baseSeq = seq;
            maxSeq = seq;
        } else {
            int delta = (seq - maxSeq) & 0xFFFF;
            if (delta < 0x8000) {
                if (seq < maxSeq) cycles += 0x10000;
                maxSeq = seq;
            }
        }
        received++;
        long arrival = nowMs * clockRate / 1000;
        long transit = arrival - ts;
        if (received > 1) {
            long d = Math.abs(transit - lastTransit);
            if (d < clockRate * 10L) jitter += (d - jitter) / 16.0;
        }
        lastTransit = transit;
    }

    /** Writes one RR report block for this source and rolls the interval counters. */
    public int writeReportBlock(byte[] b, int p, long nowMs) {
        long extMax = (cycles & 0xFFFFFFFFL) + maxSeq;
        long expected = seqInit ? extMax - baseSeq + 1 : 0;
        long lost = Math.max(0, expected - received);
        long expInt = expected - expectedPrior, recInt = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInt = expInt - recInt;
        int fraction = expInt <= 0 || lostInt <= 0 ? 0 : (int) ((lostInt << 8) / expInt);
        long dlsr = lastSrAtMs == 0 ? 0 : ((nowMs - lastSrAtMs) * 65536) / 1000;
        return org.roundtable.bridge.rtp.Rtcp.writeReportBlock(b, p, ssrc, Math.min(255, fraction),
                (int) Math.min(lost, 0x7FFFFF), extMax, (long) jitter, lastSrNtpMiddle, dlsr);
    }

    public long receivedPackets() { return received; }

    public void close() {
        Subscription[] s = subs;
        subs = new Subscription[0];
        for (Subscription sub : s) sub.onSourceRemoved(this);
        if (cache != null) cache.clear();
    }

    @Override public String toString() { return "source " + id + " (" + kind + " " + codec + " ssrc " + (ssrc & 0xFFFFFFFFL) + ")"; }
}
