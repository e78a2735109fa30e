package org.roundtable.bridge.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.rtp.Rfc4733;
import org.roundtable.bridge.rtp.RtpPacket;

/**
 * Plain RTP for a phone leg from the SIP gateway: one UDP port, no ICE, DTLS or SRTP (SDES-SRTP comes
 * with the gateway). The leg latches once and hears only that sender: either the address in the
 * remote's SDP ({@link #remote}), or, when that address is unusable (0.0.0.0, a private address behind
 * NAT), the source of the first valid (SRTP-authenticated when keyed) RTP packet after the answer
 * ({@link #comedia}, as mediasoup's comedia). Until then nothing is heard. RTP, RFC 4733 keys and RTCP
 * from any other address are dropped and counted ({@code foreign_source}, {@link #foreignDrops}): a
 * stranger who finds the port cannot talk into the meeting, press keys or move the media. Only a new
 * offer in the dialog ({@link #moveTo}) changes the latch. Audio goes to the handler; RFC 4733
 * telephone-events on any of the accepted event payload types (a phone that offered several, e.g. at
 * 48000 and 8000, may send on either) become keys; anything else is counted and dropped.
 * RTCP (RFC 3550): multiplexed on the RTP port (RFC 5761) when negotiated, else on its own socket
 * (RTP port + 1 where free); every 5 s we send an SR (while sending) or an RR about the phone's stream,
 * with SDES CNAME; the phone's reports are parsed into {@link #rtcp()} and counted. Bad RTCP is a
 * counted drop. SRTCP with SDES keys.
 * Thread: receive, reports and the handler on the leg's media loop ({@link Bridge#legLoop}: a dial-out's is its meeting's loop); send() from any thread (serialised by its lock; Netty hops to the loop).
 */
public final class PlainRtpLeg implements AutoCloseable {
    public interface Handler {
        /** An audio packet's payload, b[off, off+len), on the media loop; the bytes are reused after the call (copy to keep). */
        void onAudio(int seq, long ts, byte[] b, int off, int len);
        /** A key pressed (RFC 4733, or SIP INFO through {@link #key}), on the media loop. */
        default void onKey(char key) {}
    }

    /** Counts RTCP (the SIP gateway's metrics): type is sr, rr, sdes, bye, app, rtpfb, psfb or other; why a drop. Media loop. */
    public interface RtcpObserver {
        void received(String type);
        void sent(String type);
        void dropped(String why);
    }

    /** Report interval (RFC 3550 section 6.2 allows a fixed one for a two-party session). */
    public static final long REPORT_INTERVAL_MS = 5000;

    private static final SecureRandom RND = new SecureRandom();
    private final Bridge bridge;
    private volatile int audioPt;
    /** Accepted telephone-event payload types, each with its own event state. */
    private record Events(int[] pts, Rfc4733[] rx) {
        static Events of(int... pts) {
            int[] p = java.util.Arrays.stream(pts).filter(x -> x >= 0 && x < 128).distinct().toArray();
            Rfc4733[] r = new Rfc4733[p.length];
            for (int i = 0; i < r.length; i++) r[i] = new Rfc4733();
            return new Events(p, r);
        }
        Rfc4733 rx(int pt) { for (int i = 0; i < pts.length; i++) if (pts[i] == pt) return rx[i]; return null; }
    }
    private volatile Events events;
    private volatile int clockRate;
    private volatile Handler handler;
    private final PhoneRtcp rtcp = new PhoneRtcp();
    private volatile RtcpObserver rtcpObserver;
    private volatile Channel rtcpChannel;
    private volatile boolean rtcpMux;
    private volatile InetSocketAddress remoteRtcp;
    private volatile boolean rtcpLatched, rtcpExplicit;
    private io.netty.util.concurrent.ScheduledFuture<?> reports;
    private long octetsOut, lastSentTs, lastSentAtMs;
    private final byte[] rtcpScratch = new byte[1500];
    private final int ssrc = RND.nextInt();
    private Channel channel;
    private volatile InetSocketAddress remote;
    /** latched: remote is the one sender we hear. comedia: the first valid packet's source becomes it. Neither: nothing is heard yet. */
    private volatile boolean latched, comedia;
    /** remoteLearning: the first valid packet from the SDP's host or port (a multi-homed phone) may latch instead, once. */
    private volatile InetSocketAddress learnFrom;
    /** Packets (RTP, keys, RTCP) from anyone but the latched sender; media loop only. */
    private volatile long foreignDrops;
    private int seq = RND.nextInt(0x10000);
    private long ts = RND.nextInt() & 0xFFFFFFFFL;
    public volatile long packetsIn, packetsOut;
    /** SDES-SRTP, when negotiated: one session per direction (receive on the loop, send under this object's lock). */
    private volatile org.roundtable.bridge.srtp.SrtpSession rxSrtp, txSrtp;

    /** Turns on SRTP with keys from SDES (RFC 4568). */
    public void srtp(org.roundtable.bridge.dtls.DtlsSession.SrtpKeys keys) {
        rxSrtp = new org.roundtable.bridge.srtp.SrtpSession(keys);
        txSrtp = new org.roundtable.bridge.srtp.SrtpSession(keys);
    }

    public boolean encrypted() { return txSrtp != null; }
    /** Whether the caller runs on this leg's media loop. */
    public boolean inLoop() { return loop.inEventLoop(); }
    private int srtpFailures, srtcpFailures, srtcpGood;
    /** Build space for send() (under its lock) and for received packets (media loop only). */
    private final byte[] txScratch = new byte[1500], rxScratch = new byte[2048];

    /** The media loop all of this leg's sockets are bound on (a conference it feeds may run on another). */
    private final io.netty.channel.EventLoop loop;

    /** eventPt: the negotiated telephone-event payload type, or -1. */
    public PlainRtpLeg(Bridge bridge, int audioPt, int eventPt, int clockRate, Handler handler) {
        this(bridge, bridge.legLoop(), audioPt, eventPt, clockRate, handler);
    }

    /** The same on a given media loop (the one of the conference it will feed: {@link Bridge#legLoop(String)}). */
    public PlainRtpLeg(Bridge bridge, io.netty.channel.EventLoop loop, int audioPt, int eventPt, int clockRate, Handler handler) {
        this.bridge = bridge;
        this.loop = loop;
        this.audioPt = audioPt;
        this.events = Events.of(eventPt);
        this.clockRate = clockRate;
        this.handler = handler;
    }

    /** Binds a local port (0: any) on the bridge's media address and loop; RTCP only if multiplexed ({@link #rtcpMux}). */
    public PlainRtpLeg start(String bindAddress, int port) throws InterruptedException {
        channel = bridge.bindDatagram(loop, new InetSocketAddress(bindAddress, port), new Ingress());
        startReports();
        return this;
    }

    /**
     * Binds RTP on a free even port and RTCP on the next one (RFC 3550 section 11); when no such pair is
     * found, RTCP on any free port (the SDP must then say where: {@link #rtcpLocalPort}).
     */
    public PlainRtpLeg startWithRtcp(String bindAddress) throws InterruptedException {
        for (int attempt = 0; attempt < 40 && rtcpChannel == null; attempt++) {
            Channel c = bridge.bindDatagram(loop, new InetSocketAddress(bindAddress, 0), new Ingress());
            int p = ((InetSocketAddress) c.localAddress()).getPort();
            if ((p & 1) == 1 && attempt < 20 || p >= 65535) { c.close(); continue; }
            try {
                rtcpChannel = bridge.bindDatagram(loop, new InetSocketAddress(bindAddress, p + 1), new RtcpIngress());
                channel = c;
            } catch (Exception taken) {   // port + 1 is in use: another try
                c.close();
            }
        }
        if (rtcpChannel == null) {
            channel = bridge.bindDatagram(loop, new InetSocketAddress(bindAddress, 0), new Ingress());
            rtcpChannel = bridge.bindDatagram(loop, new InetSocketAddress(bindAddress, 0), new RtcpIngress());
        }
        startReports();
        return this;
    }

    private void startReports() {
        reports = channel.eventLoop().scheduleAtFixedRate(this::sendReport, 1000, REPORT_INTERVAL_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The payload types once negotiated (a dial-out learns them from the callee's answer). */
    public void payloadTypes(int audio, int event) { this.audioPt = audio; this.events = Events.of(event); }

    /** Every telephone-event payload type whose keys are understood (each at its own clock rate). */
    public void eventPayloadTypes(int... pts) { this.events = Events.of(pts); }

    /** The audio codec's RTP clock rate (jitter, SR timestamps). */
    public void clockRate(int hz) { if (hz > 0) this.clockRate = hz; }

    /** RTCP on the RTP port (RFC 5761), as negotiated: reports go to the remote's RTP address; port + 1 is no longer used. */
    public void rtcpMux(boolean on) {
        rtcpMux = on;
        if (on && rtcpChannel != null) { rtcpChannel.close(); rtcpChannel = null; }
    }

    public boolean rtcpMux() { return rtcpMux; }

    /** Our RTCP port: the RTP port when multiplexed, else the RTCP socket's (-1: none). */
    public int rtcpLocalPort() {
        if (rtcpMux) return localPort();
        Channel c = rtcpChannel;
        return c == null ? -1 : ((InetSocketAddress) c.localAddress()).getPort();
    }

    /** Where the remote said (SDP a=rtcp) it sends and receives RTCP; without it, its RTP port + 1. */
    public void remoteRtcp(InetSocketAddress r) { remoteRtcp = r; rtcpExplicit = true; rtcpLatched = false; }

    /** The phone's reports and our statistics of its stream. */
    public PhoneRtcp rtcp() { return rtcp; }

    public void rtcpObserver(RtcpObserver o) { this.rtcpObserver = o; }

    /** A key that came another way (SIP INFO): to the current handler on the media loop, like RFC 4733 keys. */
    public void key(char k) { loop.execute(() -> handler.onKey(k)); }

    /** Hands the leg to someone else (the IVR, then the meeting). */
    public void handler(Handler h) { this.handler = h; }

    public int localPort() { return ((InetSocketAddress) channel.localAddress()).getPort(); }

    /**
     * Where the remote said (SDP) it sends and receives RTP: the leg latches to it (symmetric RTP, RFC
     * 4961) and hears no one else. RTCP is expected from (and sent to) its port + 1 unless told ({@link #remoteRtcp}).
     */
    public void remote(InetSocketAddress r) {
        remote = r;
        comedia = false;
        learnFrom = null;
        latched = true;
        if (!rtcpExplicit) remoteRtcp = new InetSocketAddress(r.getAddress(), r.getPort() + 1);
    }

    /**
     * The SDP's address, as {@link #remote}, but a phone that sends from another address of its host, or
     * from the same port on another address (multi-homed: SDP 127.0.0.2, packets from 127.0.0.1), is
     * learnt: the first valid packet from the SDP's host or port latches the leg, once. Strangers
     * elsewhere stay dropped.
     */
    public void remoteLearning(InetSocketAddress r) {
        remote(r);
        learnFrom = r;
    }

    /**
     * The remote's SDP address is unusable (0.0.0.0, a private address behind NAT): the source of the
     * first valid RTP packet from now on becomes the one sender (and where we send); until then we
     * send to sendTo (null: nowhere). Call it after the answer, so that no one can latch first.
     */
    public void comedia(InetSocketAddress sendTo) {
        remote = sendTo;
        latched = false;
        rtcpLatched = false;
        rtcpExplicit = false;
        remoteRtcp = null;
        learnFrom = null;
        comedia = true;
    }

    /** Whether the leg has latched to one sender (from the SDP, or comedia's first packet). */
    public boolean latched() { return latched; }

    /** Where the leg sends and the one sender it hears (null: none yet). */
    public InetSocketAddress latchedRemote() { return latched ? remote : null; }

    /** Packets (RTP, keys, RTCP) dropped because they came from anyone but the latched sender. */
    public long foreignDrops() { return foreignDrops; }

    /** The remote moved its media (a re-INVITE in the dialog): the leg latches to the new address; RTCP to its port + 1 unless told. */
    public void moveTo(InetSocketAddress r) {
        rtcpLatched = false;
        rtcpExplicit = false;
        remote(r);
    }

    /** The same, where the new address is unusable: latch to the first packet again ({@link #comedia}). */
    public void moveToComedia(InetSocketAddress sendTo) { comedia(sendTo); }

    private void foreign(boolean rtcp) {
        foreignDrops++;
        bridge.metrics.drop(DropReason.FOREIGN_SOURCE);
        RtcpObserver o = rtcpObserver;
        if (rtcp && o != null) o.dropped("foreign_source");
    }

    private volatile boolean sending = true;

    /** Off while the remote holds the call (it offered sendonly or inactive): frames are not sent, the timestamp keeps running. */
    public void sending(boolean on) { sending = on; }

    /** Sends one audio frame; the timestamp advances by samplesPerFrame. Any thread. */
    public synchronized void send(byte[] payload, int len, int samplesPerFrame) {
        if (!sending) { ts = (ts + samplesPerFrame) & 0xFFFFFFFFL; return; }
        InetSocketAddress r = remote;
        if (r == null || channel == null || !channel.isActive()) return;
        if (12 + len + org.roundtable.bridge.srtp.SrtpSession.MAX_TRAILER > txScratch.length) return;
        byte[] h = txScratch;
        h[0] = (byte) 0x80;
        h[1] = (byte) audioPt;
        RtpPacket.setSequence(h, 0, seq);
        RtpPacket.setTimestamp(h, 0, ts);
        RtpPacket.setSsrc(h, 0, ssrc);
        System.arraycopy(payload, 0, h, 12, len);
        int n = 12 + len;
        org.roundtable.bridge.srtp.SrtpSession tx = txSrtp;
        if (tx != null && (n = tx.protectRtp(h, 0, n, h.length, ssrc)) < 0) { bridge.metrics.srtpProtectFailures.inc(); return; }
        ByteBuf b = channel.alloc().directBuffer(n);
        b.writeBytes(h, 0, n);
        lastSentTs = ts;
        lastSentAtMs = bridge.nowMs();
        octetsOut += len;
        seq = (seq + 1) & 0xFFFF;
        ts = (ts + samplesPerFrame) & 0xFFFFFFFFL;
        packetsOut++;
        bridge.metrics.audioPktsOut.inc();
        channel.writeAndFlush(new DatagramPacket(b, r), channel.voidPromise());
    }

    public int clockRate() { return clockRate; }

    private final class Ingress extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            ByteBuf buf = p.content();
            int len = buf.readableBytes();
            if (len < 8 || len > rxScratch.length) { bridge.metrics.drop(DropReason.MALFORMED_RTP); return; }   // an RR without blocks is 8
            InetSocketAddress from = p.sender();
            // one sender: the latched one (or, in comedia, whoever sends the first valid RTP); everyone else is dropped unread
            boolean fromRemote = latched && from.equals(remote);
            InetSocketAddress learn = learnFrom;
            boolean learning = !fromRemote && learn != null && (from.getAddress().equals(learn.getAddress()) || from.getPort() == learn.getPort());
            if (!fromRemote && !comedia && !learning) {
                int t = buf.getUnsignedByte(buf.readerIndex() + 1);
                foreign(t >= 192 && t <= 223);        // muxed RTCP counts as RTCP too
                return;
            }
            byte[] a = rxScratch;
            buf.getBytes(buf.readerIndex(), a, 0, len);
            if (org.roundtable.bridge.rtp.Rtcp.looksLikeRtcp(a, 0, len)) {           // RFC 5761; RTCP never latches
                if (!fromRemote) { foreign(true); return; }
                onRtcp(a, len, from, true);
                return;
            }
            if (len < 12) { bridge.metrics.drop(DropReason.MALFORMED_RTP); return; }
            org.roundtable.bridge.srtp.SrtpSession rx = rxSrtp;
            if (rx != null) {
                int n = rx.unprotectRtp(a, 0, len, RtpPacket.ssrc(a, 0));
                if (n < 0) {
                    bridge.metrics.drop(DropReason.SRTP_AUTH);
                    if (srtpFailures++ == 0) org.slf4j.LoggerFactory.getLogger(PlainRtpLeg.class).info("first SRTP failure: {} bytes, PT {}, ssrc {}",
                            len, a[1] & 0x7F, Integer.toUnsignedString(RtpPacket.ssrc(a, 0)));
                    return;
                }
                len = n;
            }
            if (!RtpPacket.isValid(a, 0, len)) { bridge.metrics.drop(DropReason.MALFORMED_RTP); return; }
            if (learnFrom != null) learnFrom = null;      // the first valid packet settles it
            if (!fromRemote) {              // comedia (or learning): the first valid packet after the answer latches, once
                remote = from;
                latched = true;
                comedia = false;
            }
            packetsIn++;
            bridge.metrics.audioPktsIn.inc();
            int pt = RtpPacket.payloadType(a, 0), hl = RtpPacket.headerLength(a, 0, len), pl = RtpPacket.payloadLength(a, 0, len);
            Rfc4733 dtmf = events.rx(pt);
            if (dtmf != null || pt == audioPt)
                rtcp.onRtp(RtpPacket.ssrc(a, 0), RtpPacket.sequence(a, 0), RtpPacket.timestamp(a, 0), bridge.nowMs(), pt == audioPt ? clockRate : 0);
            if (dtmf != null) {
                char k = dtmf.onPacket(RtpPacket.timestamp(a, 0), a, hl, pl);
                if (k != 0) handler.onKey(k);
            } else if (pt == audioPt && pl > 0) {
                handler.onAudio(RtpPacket.sequence(a, 0), RtpPacket.timestamp(a, 0), a, hl, pl);
            } else {
                bridge.metrics.drop(DropReason.UNKNOWN_SSRC);
            }
        }
    }

    private final class RtcpIngress extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            ByteBuf buf = p.content();
            int len = buf.readableBytes();
            if (len < 8 || len > rxScratch.length) { dropRtcp("malformed"); return; }
            InetSocketAddress from = p.sender(), rtp = remote;
            // from the RTCP address the SDP named (or RTP port + 1); after comedia, the first from the latched RTP sender's host
            // (or, not yet latched, the first from the host our RTP comes from: a multi-homed phone's other address)
            boolean ok = from.equals(remoteRtcp)
                    || !rtcpLatched && !rtcpExplicit && latched && rtp != null && from.getAddress().equals(rtp.getAddress());
            if (!ok) { foreign(true); return; }
            buf.getBytes(buf.readerIndex(), rxScratch, 0, len);
            onRtcp(rxScratch, len, from, false);
        }
    }

    private void dropRtcp(String why) {
        bridge.metrics.drop(why.equals("srtp") ? DropReason.SRTP_AUTH : DropReason.MALFORMED_RTCP);
        RtcpObserver o = rtcpObserver;
        if (o != null) o.dropped(why);
    }

    private static String typeName(int type) {
        return switch (type) {
            case org.roundtable.bridge.rtp.Rtcp.SR -> "sr";
            case org.roundtable.bridge.rtp.Rtcp.RR -> "rr";
            case org.roundtable.bridge.rtp.Rtcp.SDES -> "sdes";
            case org.roundtable.bridge.rtp.Rtcp.BYE -> "bye";
            case org.roundtable.bridge.rtp.Rtcp.APP -> "app";
            case org.roundtable.bridge.rtp.Rtcp.RTPFB -> "rtpfb";
            case org.roundtable.bridge.rtp.Rtcp.PSFB -> "psfb";
            default -> "other";
        };
    }

    /** The phone's RTCP (SRTCP when SDES keys are set), a[0, len), on the media loop. Never throws. */
    private void onRtcp(byte[] a, int len, InetSocketAddress from, boolean onRtpPort) {
        try {
            if (len < 8) { dropRtcp("malformed"); return; }
            org.roundtable.bridge.srtp.SrtpSession rx = rxSrtp;
            // shorter than header + SRTCP index + 80-bit tag: plain RTCP (baresip's first APP packet), not SRTCP
            if (rx != null && len < 8 + 4 + 10) { dropRtcp("not_srtcp"); return; }
            if (rx != null) {
                int n = rx.unprotectRtcp(a, 0, len, RtpPacket.i32(a, 4));
                if (n < 0) {
                    if (srtcpFailures++ == 0) org.slf4j.LoggerFactory.getLogger(PlainRtpLeg.class).info(
                            "first SRTCP failure: {} bytes, PT {}, ssrc {}, on the {} port, after {} good", len, a[1] & 0xFF,
                            Integer.toUnsignedString(RtpPacket.i32(a, 4)), onRtpPort ? "RTP" : "RTCP", srtcpGood);
                    dropRtcp("srtp");
                    return;
                }
                srtcpGood++;
                len = n;
            }
            RtcpObserver o = rtcpObserver;
            boolean ok = rtcp.onRtcp(a, 0, len, ssrc, bridge.nowMs(), org.roundtable.bridge.rtp.Rtcp.ntpMiddle(
                    org.roundtable.bridge.rtp.Rtcp.ntpFromMillis(System.currentTimeMillis())), type -> { if (o != null) o.received(typeName(type)); });
            if (!ok) { dropRtcp("malformed"); return; }
            // symmetric RTCP: after comedia, the first good report from the RTP sender's host fixes where RTCP comes from and goes
            if (!onRtpPort && !rtcpMux && !rtcpLatched && !rtcpExplicit) { remoteRtcp = from; rtcpLatched = true; }
        } catch (RuntimeException e) {
            dropRtcp("malformed");
        }
    }

    /** Our report (SR while we send, else RR) with SDES CNAME, every {@link #REPORT_INTERVAL_MS}; on the media loop. */
    private synchronized void sendReport() {
        try {
            InetSocketAddress to = rtcpMux ? remote : remoteRtcp;
            Channel out = rtcpMux || rtcpChannel == null ? channel : rtcpChannel;
            if (to == null || out == null || !out.isActive() || (!rtcpMux && rtcpChannel == null)) return;
            long now = bridge.nowMs();
            boolean sender = packetsOut > 0 && now - lastSentAtMs < 2 * REPORT_INTERVAL_MS;
            long rtpTs = (lastSentTs + (now - lastSentAtMs) * clockRate / 1000) & 0xFFFFFFFFL;
            byte[] b = rtcpScratch;
            int n = rtcp.build(b, 0, ssrc, sender, org.roundtable.bridge.rtp.Rtcp.ntpFromMillis(System.currentTimeMillis()), rtpTs,
                    packetsOut, octetsOut, now, "roundtable-" + Integer.toHexString(ssrc) + "@" + ((InetSocketAddress) channel.localAddress()).getHostString());
            org.roundtable.bridge.srtp.SrtpSession tx = txSrtp;
            if (tx != null && (n = tx.protectRtcp(b, 0, n, b.length, ssrc)) < 0) { bridge.metrics.srtpProtectFailures.inc(); return; }
            ByteBuf buf = out.alloc().directBuffer(n);
            buf.writeBytes(b, 0, n);
            out.writeAndFlush(new DatagramPacket(buf, to), out.voidPromise());
            RtcpObserver o = rtcpObserver;
            if (o != null) o.sent(sender ? "sr" : "rr");
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(PlainRtpLeg.class).debug("RTCP report failed: {}", e.toString());
        }
    }

    /** Our SSRC (what the phone's report blocks are about). */
    public int ssrc() { return ssrc; }

    @Override public void close() {
        if (reports != null) reports.cancel(false);
        if (channel != null) channel.close();
        if (rtcpChannel != null) rtcpChannel.close();
    }
}
