package org.roundtable.bridge.router;

import io.netty.buffer.ByteBuf;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.rtp.RtpPacket;

/**
 * One source as one receiver gets it (mediasoup's Consumer, LiveKit's DownTrack): the receiver's own
 * SSRC, payload type and sequence/timestamp space, decided by a {@link StreamRewriter}, then written by
 * the receiving {@link Endpoint}. Answers the receiver's NACKs from the source's cache (as RTX when
 * negotiated). Thread: the media loop.
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
    }

    public MediaSource source() { return source; }

    @Override
    public void onRtp(MediaSource src, ByteBuf buf, int off, int len, int hdr, boolean keyframe) {
        if (!receiver.mediaReady()) { receiver.metrics().drop(DropReason.NOT_CONNECTED); return; }
        byte[] a = buf.array();
        long now = receiver.nowMs();
        if (src.pauseEpoch() != pauseEpoch) { pauseEpoch = src.pauseEpoch(); rewriter.restart(); }
        if (!rewriter.accept(RtpPacket.ssrc(a, off), RtpPacket.sequence(a, off), RtpPacket.timestamp(a, off), keyframe, now)) {
            receiver.metrics().drop(DropReason.WAIT_KEYFRAME);
            src.requestKeyframe(now);
            return;
        }
        receiver.sendRtp(this, a, off, len, hdr, rewriter.outSeq, rewriter.outTs, false);
    }

    /** Re-sends the packet the receiver knows as outSeq, if the cache still has it. */
    void retransmit(int outSeq, long now) {
        MediaSource src = source;
        if (src == null || src.cache == null) return;
        int srcSeq = rewriter.sourceSeq(outSeq);
        if (srcSeq < 0) return;
        int i = src.cache.find(srcSeq, now, 1500);
        if (i < 0) return;
        ByteBuf b = src.cache.buf(i);
        byte[] a = b.array();
        int off = src.cache.off(i);
        if (RtpPacket.ssrc(a, off) != src.ssrc) return;
        long ts = rewriter.toOutTs(RtpPacket.timestamp(a, off));
        receiver.sendRtp(this, a, off, src.cache.len(i), src.cache.hdr(i), outSeq, ts, true);
    }

    @Override
    public void onSourceRemoved(MediaSource src) {
        receiver.downTrackSourceGone(this);
    }

    public long lastOutTs() { return rewriter.lastOutTs(); }
    public long lastOutAtMs() { return rewriter.lastOutAtMs(); }
    public int clockRate() { return rewriter.clockRate(); }
}
