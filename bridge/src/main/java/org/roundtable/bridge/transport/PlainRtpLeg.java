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
 * with the gateway). Symmetric RTP: until the remote's first packet arrives we send to the address
 * from its SDP, then to wherever its packets come from (NAT). Audio goes to the handler; RFC 4733
 * telephone-events become keys; anything else is counted and dropped.
 * Thread: receive and the handler on the media loop; send() from any thread (serialised by its lock; Netty hops to the loop).
 */
public final class PlainRtpLeg implements AutoCloseable {
    public interface Handler {
        /** An audio packet's payload, b[off, off+len), on the media loop; the bytes are reused after the call (copy to keep). */
        void onAudio(int seq, long ts, byte[] b, int off, int len);
        /** A key pressed (RFC 4733), on the media loop. */
        default void onKey(char key) {}
    }

    private static final SecureRandom RND = new SecureRandom();
    private final Bridge bridge;
    private volatile int audioPt, eventPt;
    private final int clockRate;
    private volatile Handler handler;
    private final Rfc4733 dtmf = new Rfc4733();
    private final int ssrc = RND.nextInt();
    private Channel channel;
    private volatile InetSocketAddress remote;
    private volatile boolean latched;
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
    private int srtpFailures;
    /** Build space for send() (under its lock) and for received packets (media loop only). */
    private final byte[] txScratch = new byte[1500], rxScratch = new byte[2048];

    /** eventPt: the negotiated telephone-event payload type, or -1. */
    public PlainRtpLeg(Bridge bridge, int audioPt, int eventPt, int clockRate, Handler handler) {
        this.bridge = bridge;
        this.audioPt = audioPt;
        this.eventPt = eventPt;
        this.clockRate = clockRate;
        this.handler = handler;
    }

    /** Binds a local port (0: any) on the bridge's media address and loop. */
    public PlainRtpLeg start(String bindAddress, int port) throws InterruptedException {
        channel = bridge.bindDatagram(new InetSocketAddress(bindAddress, port), new Ingress());
        return this;
    }

    /** The payload types once negotiated (a dial-out learns them from the callee's answer). */
    public void payloadTypes(int audio, int event) { this.audioPt = audio; this.eventPt = event; }

    /** Hands the leg to someone else (the IVR, then the meeting). */
    public void handler(Handler h) { this.handler = h; }

    public int localPort() { return ((InetSocketAddress) channel.localAddress()).getPort(); }

    /** Where the remote said (SDP) it receives RTP; once RTP arrives, we answer where it comes from (symmetric RTP). */
    public void remote(InetSocketAddress r) { if (!latched) remote = r; }

    /** The remote moved its media (a re-INVITE): send there until RTP arrives from somewhere else. */
    public void moveTo(InetSocketAddress r) { remote = r; latched = false; }

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
            if (len < 12 || len > rxScratch.length) { bridge.metrics.drop(DropReason.MALFORMED_RTP); return; }
            byte[] a = rxScratch;
            buf.getBytes(buf.readerIndex(), a, 0, len);
            int pt0 = a[1] & 0x7F;
            if (pt0 >= 72 && pt0 <= 76) { bridge.metrics.drop(DropReason.MALFORMED_RTP); return; } // RTCP on the RTP port: not used
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
            if (!latched || !p.sender().equals(remote)) { remote = p.sender(); latched = true; }
            packetsIn++;
            bridge.metrics.audioPktsIn.inc();
            int pt = RtpPacket.payloadType(a, 0), hl = RtpPacket.headerLength(a, 0, len), pl = RtpPacket.payloadLength(a, 0, len);
            if (pt == eventPt) {
                char k = dtmf.onPacket(RtpPacket.timestamp(a, 0), a, hl, pl);
                if (k != 0) handler.onKey(k);
            } else if (pt == audioPt && pl > 0) {
                handler.onAudio(RtpPacket.sequence(a, 0), RtpPacket.timestamp(a, 0), a, hl, pl);
            } else {
                bridge.metrics.drop(DropReason.UNKNOWN_SSRC);
            }
        }
    }

    @Override public void close() { if (channel != null) channel.close(); }
}
