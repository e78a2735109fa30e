package org.roundtable.bridge.router;

import io.netty.buffer.ByteBuf;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.metrics.Pipeline;
import org.roundtable.bridge.rtp.RtpPacket;

/**
 * One source as one receiver gets it (mediasoup's Consumer, LiveKit's DownTrack): the receiver's own
 * SSRC, payload type and sequence/timestamp space, decided by a {@link StreamRewriter}, then written by
 * the receiving {@link Endpoint}'s {@link RtpEgress}. Answers the receiver's NACKs from the source's
 * cache (as RTX when negotiated). Thread: the media loop.
 */
public final class DownTrack implements Subscription {
    public final Endpoint receiver;
    public final String mid;
    public final int ssrc, rtxSsrc;
    public final int payloadType, rtxPayloadType;
    public final MediaKind kind;
    final StreamRewriter rewriter;
    MediaSource source;
    int rtxSeq;
    private int pauseEpoch;
    public long packetsSent, octetsSent;
    /** Round trip to the receiver from its receiver reports (LSR/DLSR), or -1 while unknown. */
    long rttMs = -1;
    /**
     * What was re-sent to this receiver, by cache slot: {@code srcSeq << 16 | sentAtMs & 0xFFFF}. Made on
     * the first NACK answered (4 bytes per cache slot), so a receiver that never loses a packet costs nothing
     * here; 16 bits of milliseconds suffice because the guard is at most a second and the cache keeps at most 10 s.
     */
    private int[] resent;
    /** Results of {@link #retransmit}. */
    static final int RESENT = 1, NOT_CACHED = 0, RECENTLY_RESENT = -1;
    /** Without an RTT estimate, a packet is not re-sent twice within this ({@code nack-resend-guard-ms}). */
    private final long resendGuardMs;
    /** A cached packet older than this is not re-sent ({@code nack-max-age-ms}). */
    private final long maxAgeMs;

    DownTrack(Endpoint receiver, MediaSource source, String mid, int ssrc, int rtxSsrc, int pt, int rtxPt, int initialSeq, long initialTs) {
        this.receiver = receiver;
        this.source = source;
        this.mid = mid;
        this.kind = source.kind;
        this.ssrc = ssrc;
        this.rtxSsrc = rtxSsrc;
        this.payloadType = pt;
        this.rtxPayloadType = rtxPt;
        this.rewriter = new StreamRewriter(kind == MediaKind.VIDEO, source.clockRate, initialSeq, initialTs);
        this.rtxSeq = initialSeq ^ 0x5A5A;
        this.pauseEpoch = source.pauseEpoch();
        org.roundtable.bridge.BridgeConfig.Tuning tu = receiver.host.config().tuning();
        this.resendGuardMs = tu.nackResendGuardMs();
        this.maxAgeMs = tu.nackMaxAgeMs();
    }

    public MediaSource source() { return source; }

    /** The send walk's first step ({@link Pipeline}): decide, then {@link RtpEgress#sendRtp}. */
    @Override
    public void onRtp(MediaSource src, ByteBuf buf, int off, int len, int hdr, boolean keyframe) {
        Pipeline p = receiver.pipeline;
        boolean timed = p.timeSend();
        long t = timed ? System.nanoTime() : 0;
        p.decide.in();
        if (!receiver.mediaReady()) { p.decide.drop(); receiver.metrics().drop(DropReason.NOT_CONNECTED); return; }
        byte[] a = buf.array();
        long now = receiver.nowMs();
        if (src.pauseEpoch() != pauseEpoch) { pauseEpoch = src.pauseEpoch(); rewriter.restart(); }
        if (!rewriter.accept(RtpPacket.ssrc(a, off), RtpPacket.sequence(a, off), RtpPacket.timestamp(a, off), keyframe, now)) {
            p.decide.drop();
            receiver.metrics().drop(DropReason.WAIT_KEYFRAME);
            src.requestKeyframe(now);
            return;
        }
        if (timed) t = p.decide.lap(t);
        receiver.egress.sendRtp(this, a, off, len, hdr, rewriter.outSeq, rewriter.outTs, false, t);
    }

    /**
     * Re-sends the packet the receiver knows as outSeq, if the cache still has it and it was not re-sent
     * to this receiver within the last round trip (a NACK repeated before our answer could arrive).
     * @return {@link #RESENT}, {@link #NOT_CACHED} or {@link #RECENTLY_RESENT}
     */
    int retransmit(int outSeq, long now) {
        MediaSource src = source;
        if (src == null || src.cache == null) return NOT_CACHED;
        int srcSeq = rewriter.sourceSeq(outSeq);
        if (srcSeq < 0) return NOT_CACHED;
        int i = src.cache.find(srcSeq, now, maxAgeMs);
        if (i < 0) return NOT_CACHED;
        ByteBuf b = src.cache.buf(i);
        byte[] a = b.array();
        int off = src.cache.off(i);
        if (RtpPacket.ssrc(a, off) != src.ssrc) return NOT_CACHED;
        long guard = rttMs > 0 ? Math.min(rttMs, 1000) : resendGuardMs;
        int[] r = resent;
        int size = src.cache.size();
        if (r == null || r.length != size) {
            r = resent = new int[size];
            // a sequence number that cannot be in slot k, so no slot starts out as "recently re-sent"
            for (int k = 0; k < r.length; k++) r[k] = ((k + 1) & (size - 1)) << 16;
        }
        int e = r[i];
        if ((e >>> 16) == srcSeq && (((int) now - e) & 0xFFFF) < guard) return RECENTLY_RESENT;
        r[i] = srcSeq << 16 | ((int) now & 0xFFFF);
        long ts = rewriter.toOutTs(RtpPacket.timestamp(a, off));
        receiver.egress.sendRtp(this, a, off, src.cache.len(i), src.cache.hdr(i), outSeq, ts, true, 0);
        return RESENT;
    }

    @Override
    public void onSourceRemoved(MediaSource src) {
        receiver.downTrackSourceGone(this);
    }

    public long lastOutTs() { return rewriter.lastOutTs(); }
    public long lastOutAtMs() { return rewriter.lastOutAtMs(); }
    public int clockRate() { return rewriter.clockRate(); }
}
