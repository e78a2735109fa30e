package org.roundtable.bridge.router;

import io.netty.buffer.ByteBufAllocator;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.metrics.Pipeline;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.srtp.SrtpSession;
import org.roundtable.bridge.transport.MediaPath;

/**
 * An endpoint's RTP egress: writes what its {@link DownTrack}s decided (payload type, SSRC, sequence
 * number and time stamp, or an RFC 4588 RTX packet for a re-send), protects it with the endpoint's SRTP
 * session and sends it on its path. Counts what it sends. Thread: the media loop.
 */
final class RtpEgress {
    private final Endpoint ep;
    private final BridgeMetrics metrics;
    /** The host's (the loop's) scratch array and allocator, looked up once. */
    private final byte[] scratch;
    private final ByteBufAllocator alloc;

    RtpEgress(Endpoint ep, EndpointHost host) {
        this.ep = ep;
        this.metrics = host.metrics();
        this.scratch = host.scratch();
        this.alloc = host.alloc();
    }

    /**
     * Writes one RTP packet for a down-track: our header (no extensions) and the source's payload are
     * built and SRTP-protected in the loop's scratch array (no allocation), then copied once into native
     * memory the socket sends from: its batch's arena, or a pooled direct buffer ({@link MediaPath#writeCopy}).
     * The send walk's steps rewrite, protect and send ({@link Pipeline}); t: the walk's clock when timed,
     * else 0. Allocates nothing on the heap once warm: ForwardAllocationTest holds it to that.
     */
    void sendRtp(DownTrack dt, byte[] a, int off, int len, int hdr, int seq, long ts, boolean retransmission, long t) {
        Pipeline p = ep.pipeline;
        // rewrite: the receiver's header (its SSRC, payload type, sequence and time stamp) and the payload
        p.rewrite.in();
        int payload = len - hdr;
        boolean asRtx = retransmission && dt.rtxPayloadType >= 0;
        int outLen = RtpPacket.FIXED_HEADER + (asRtx ? 2 : 0) + payload;
        byte[] o = scratch;
        if (outLen + SrtpSession.MAX_TRAILER > o.length) { p.rewrite.drop(); metrics.drop(DropReason.MALFORMED_RTP); return; }
        o[0] = (byte) (0x80 | (a[off] & 0x20));
        o[1] = (byte) ((a[off + 1] & 0x80) | (asRtx ? dt.rtxPayloadType : dt.payloadType));
        int ssrc;
        if (asRtx) {
            dt.rtxSeq = (dt.rtxSeq + 1) & 0xFFFF;
            RtpPacket.setSequence(o, 0, dt.rtxSeq);
            RtpPacket.putU16(o, 12, seq);
            ssrc = dt.rtxSsrc;
        } else {
            RtpPacket.setSequence(o, 0, seq);
            ssrc = dt.ssrc;
        }
        RtpPacket.setTimestamp(o, 0, ts);
        RtpPacket.setSsrc(o, 0, ssrc);
        System.arraycopy(a, off + hdr, o, outLen - payload, payload);
        if (t != 0) t = p.rewrite.lap(t);

        // protect: SRTP in the scratch array
        p.protect.in();
        int n = ep.srtp.protectRtp(o, 0, outLen, o.length, ssrc);
        if (n < 0) { p.protect.drop(); metrics.srtpProtectFailures.inc(); return; }
        if (t != 0) t = p.protect.lap(t);

        // send: one copy, into the socket's batch (a UDP path: consecutive packets for this receiver leave as
        // one GSO message) or a pooled direct buffer with headroom where an ICE-TCP path writes its RFC 4571
        // length; flushed in batches by the bridge
        p.send.in();
        if (!retransmission) { dt.packetsSent++; dt.octetsSent += payload; }
        else metrics.retransmissions.inc();
        if (dt.kind == MediaKind.AUDIO) { metrics.audioPktsOut.inc(); metrics.audioBytesOut.inc(n); }
        else { metrics.videoPktsOut.inc(); metrics.videoBytesOut.inc(n); }
        ep.path.writeCopy(o, 0, n, alloc);
        if (t != 0) p.send.lap(t);
    }
}
