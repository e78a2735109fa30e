package org.roundtable.bridge.router;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.srtp.SrtpSession;

/**
 * The bridge terminates RTCP per endpoint: incoming compounds are unprotected and read here (SRs give
 * the publisher's clock, PLI/FIR become key-frame requests to the source, NACKs are served from the
 * retransmission cache within a per-second budget, report blocks give round trips); outgoing RTCP (our
 * RR + REMB for what the endpoint publishes, SRs for what it receives, PLIs) is written and protected
 * here. Thread: the media loop.
 */
final class RtcpTermination {
    private final Endpoint ep;
    private final EndpointHost host;
    private final BridgeMetrics metrics;
    /** NACK budget: re-sends served in the current one-second window. */
    private long nackWindowStartMs = Long.MIN_VALUE / 2;
    private int nacksInWindow;

    RtcpTermination(Endpoint ep, EndpointHost host) {
        this.ep = ep;
        this.host = host;
        this.metrics = host.metrics();
    }

    /** One SRTCP compound (the endpoint is connected: its SRTP session exists). */
    void onSrtcp(byte[] a, int off, int len) {
        if (len < 8 + 4) { metrics.drop(DropReason.MALFORMED_RTCP); return; }
        int sender = RtpPacket.i32(a, off + 4);
        int n = ep.srtp.unprotectRtcp(a, off, len, sender);
        if (n < 0) { metrics.drop(DropReason.SRTP_AUTH); metrics.srtpUnprotectFailures.inc(); return; }
        if (!ep.keysProven) ep.proveKeys();
        metrics.rtcpPktsIn.inc();
        metrics.rtcpBytesIn.inc(len);
        if (!Rtcp.isValidCompound(a, off, n)) { metrics.drop(DropReason.MALFORMED_RTCP); return; }
        long now = host.nowMs();
        for (int p = off, end = off + n; p < end; p += Rtcp.length(a, p)) {
            int type = Rtcp.packetType(a, p), l = Rtcp.length(a, p);
            if (type == Rtcp.SR && l >= 28) {
                MediaSource s = ep.inbound.get(Rtcp.senderSsrc(a, p));
                if (s != null) {
                    s.lastSrNtpMiddle = ((RtpPacket.u32(a, p + 8) & 0xFFFF) << 16) | (RtpPacket.u32(a, p + 12) >>> 16);
                    s.lastSrAtMs = now;
                    s.senderClock.update(RtpPacket.u32(a, p + 8), RtpPacket.u32(a, p + 12), RtpPacket.u32(a, p + 16));
                }
            } else if (type == Rtcp.PSFB && l >= 12) {
                int fmt = Rtcp.fmt(a, p);
                int media = fmt == Rtcp.FMT_FIR && l >= 20 ? RtpPacket.i32(a, p + 12) : Rtcp.mediaSsrc(a, p);
                if (fmt == Rtcp.FMT_PLI || fmt == Rtcp.FMT_FIR) {
                    DownTrack dt = ep.outbound.get(media);
                    if (dt != null && dt.source != null) dt.source.requestKeyframe(now);
                }
            } else if (type == Rtcp.RTPFB && Rtcp.fmt(a, p) == Rtcp.FMT_NACK && l >= 16) {
                DownTrack dt = ep.outbound.get(Rtcp.mediaSsrc(a, p));
                if (dt == null) continue;
                for (int q = p + 12; q + 4 <= p + l; q += 4) {
                    int pid = RtpPacket.u16(a, q), blp = RtpPacket.u16(a, q + 2);
                    nack(dt, pid, now);
                    for (int i = 0; i < 16; i++) if ((blp & (1 << i)) != 0) nack(dt, (pid + i + 1) & 0xFFFF, now);
                }
            }
            if ((type == Rtcp.RR || type == Rtcp.SR) && l >= 8) roundTrips(a, p);
        }
    }

    /** Serves one NACKed sequence number within this receiver's per-second budget. */
    private void nack(DownTrack dt, int outSeq, long now) {
        if (now - nackWindowStartMs >= 1000) { nackWindowStartMs = now; nacksInWindow = 0; }
        if (nacksInWindow >= host.config().limits().nacksPerSecond()) { metrics.drop(DropReason.NACK_OVER_BUDGET); return; }
        int r = dt.retransmit(outSeq, now);
        if (r == DownTrack.RESENT) nacksInWindow++;
        else if (r == DownTrack.RECENTLY_RESENT) metrics.drop(DropReason.NACK_RECENTLY_SENT);
    }

    /** Round trips to this receiver from the report blocks (about our SRs) of its SR or RR at p (RFC 3550 6.4.1). */
    private void roundTrips(byte[] a, int p) {
        long nowMiddle = -1;
        for (int i = 0, q; (q = Rtcp.reportBlock(a, p, i)) >= 0; i++) {
            long lsr = Rtcp.blockLsr(a, q);
            if (lsr == 0) continue;
            DownTrack dt = ep.outbound.get(Rtcp.blockSsrc(a, q));
            if (dt == null || dt.ssrc != Rtcp.blockSsrc(a, q)) continue;
            if (nowMiddle < 0) nowMiddle = Rtcp.ntpMiddle(Rtcp.ntpFromMillis(System.currentTimeMillis()));
            long rtt = (nowMiddle - lsr - Rtcp.blockDlsr(a, q)) & 0xFFFFFFFFL;   // 1/65536 s
            if (rtt < 0x80000000L) dt.rttMs = Math.max(1, rtt * 1000 / 65536);
        }
    }

    private void sendRtcp(byte[] b, int len) {
        if (!ep.mediaReady()) return;
        ByteBuf out = host.alloc().heapBuffer(len + SrtpSession.MAX_TRAILER);
        out.writeBytes(b, 0, len);
        int n = ep.srtp.protectRtcp(out.array(), out.arrayOffset(), len, out.capacity(), ep.rtcpSsrc);
        if (n < 0) { out.release(); metrics.srtpProtectFailures.inc(); return; }
        out.writerIndex(n);
        metrics.rtcpPktsOut.inc();
        metrics.rtcpBytesOut.inc(n);
        ep.path.write(out);
    }

    /** Asks the publisher of s for a key frame (the source's {@link MediaSource.KeyframeRequester}). */
    void sendPli(MediaSource s) {
        if (!ep.mediaReady() || s.ssrc == 0) return;
        byte[] b = new byte[12];
        Rtcp.writePli(b, 0, ep.rtcpSsrc, s.ssrc);
        sendRtcp(b, 12);
        metrics.keyframeRequests.inc();
    }

    /**
     * Whether every track the member publishes has a sender clock: only then are SRs for its tracks built
     * from that clock (a receiver compares the NTP times of a member's tracks, which must be one clock).
     */
    private boolean senderClocksKnown(String ownerId) {
        boolean any = false;
        for (MediaSource s : ep.conference.sources()) {
            if (!s.ownerId.equals(ownerId) || s.content) continue;
            if (!s.senderClock.known()) return false;
            any = true;
        }
        return any;
    }

    /** Periodic RTCP: RR (+REMB) for what we receive, SR for what we send. Called on the media loop. */
    void sendReports(long now) {
        if (!ep.mediaReady()) return;
        byte[] b = new byte[1200];
        int p = 0;
        List<MediaSource> srcs = new ArrayList<>();
        for (MediaSource s : ep.published.values()) if (s.ssrc != 0 && s.receivedPackets() > 0) srcs.add(s);
        int blocks = Math.min(srcs.size(), 31);
        p += Rtcp.writeRrHeader(b, p, ep.rtcpSsrc, blocks);
        for (int i = 0; i < blocks; i++) p += srcs.get(i).writeReportBlock(b, p, now);
        int[] video = new int[4];
        int nv = 0;
        for (MediaSource s : srcs) if (s.kind == MediaKind.VIDEO && nv < 4) video[nv++] = s.ssrc;
        if (nv > 0) p += Rtcp.writeRemb(b, p, ep.rtcpSsrc, host.config().rembBps(), video, nv);
        sendRtcp(b, p);
        for (DownTrack dt : ep.downByMid.values()) {
            if (dt.packetsSent == 0) continue;
            long ts, ntp;
            MediaSource src = dt.source;
            if (src != null && dt.rewriter.started() && senderClocksKnown(src.ownerId)) {
                // lip sync: the publisher's own RTP-to-wall-clock mapping, moved to the rewritten time stamps
                // (as Jitsi Videobridge does), so a receiver lines up this member's audio and video as they were captured
                ts = dt.lastOutTs();
                ntp = Rtcp.ntpFromNtpMillis(src.senderClock.captureMs(dt.rewriter.toSourceTs(ts)));
            } else {
                ts = dt.lastOutTs() + (now - dt.lastOutAtMs()) * dt.clockRate() / 1000;
                ntp = Rtcp.ntpFromMillis(System.currentTimeMillis());
            }
            int l = Rtcp.writeSr(b, 0, dt.ssrc, ntp, ts, dt.packetsSent, dt.octetsSent);
            sendRtcp(b, l);
        }
    }
}
