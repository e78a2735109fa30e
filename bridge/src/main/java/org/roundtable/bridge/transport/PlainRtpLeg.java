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
 * Thread: receive and the handler on the media loop; send() from any thread (Netty hops to the loop).
 */
public final class PlainRtpLeg implements AutoCloseable {
    public interface Handler {
        /** An audio packet's payload (a copy the handler may keep), on the media loop. */
        void onAudio(int seq, long ts, byte[] payload);
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

    /** Where the remote said (SDP) it receives RTP. */
    public void remote(InetSocketAddress r) { if (!latched) remote = r; }

    /** Sends one audio frame; the timestamp advances by samplesPerFrame. Any thread. */
    public synchronized void send(byte[] payload, int len, int samplesPerFrame) {
        InetSocketAddress r = remote;
        if (r == null || channel == null || !channel.isActive()) return;
        ByteBuf b = channel.alloc().directBuffer(12 + len);
        byte[] h = new byte[12];
        h[0] = (byte) 0x80;
        h[1] = (byte) audioPt;
        RtpPacket.setSequence(h, 0, seq);
        RtpPacket.setTimestamp(h, 0, ts);
        RtpPacket.setSsrc(h, 0, ssrc);
        b.writeBytes(h).writeBytes(payload, 0, len);
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
            byte[] a = new byte[len];
            buf.getBytes(buf.readerIndex(), a);
            if (!RtpPacket.isValid(a, 0, len) || RtpPacket.payloadType(a, 0) >= 72 && RtpPacket.payloadType(a, 0) <= 76) {
                bridge.metrics.drop(DropReason.MALFORMED_RTP);  // not RTP (RTCP to this port counts here too)
                return;
            }
            if (!latched || !p.sender().equals(remote)) { remote = p.sender(); latched = true; }
            packetsIn++;
            bridge.metrics.audioPktsIn.inc();
            int pt = RtpPacket.payloadType(a, 0), hl = RtpPacket.headerLength(a, 0, len), pl = RtpPacket.payloadLength(a, 0, len);
            if (pt == eventPt) {
                char k = dtmf.onPacket(RtpPacket.timestamp(a, 0), a, hl, pl);
                if (k != 0) handler.onKey(k);
            } else if (pt == audioPt && pl > 0) {
                byte[] payload = new byte[pl];
                System.arraycopy(a, hl, payload, 0, pl);
                handler.onAudio(RtpPacket.sequence(a, 0), RtpPacket.timestamp(a, 0), payload);
            } else {
                bridge.metrics.drop(DropReason.UNKNOWN_SSRC);
            }
        }
    }

    @Override public void close() { if (channel != null) channel.close(); }
}
