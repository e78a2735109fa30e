package org.roundtable.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.collection.IntObjectHashMap;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.ice.Stun;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.srtp.SrtpSession;

/**
 * One headless WebRTC endpoint of the load generator: controlling ICE, DTLS client, SRTP, on a Netty
 * datagram channel; thousands share one event loop. Receiving counts packets and tracks loss per SSRC
 * from the plaintext RTP header (no decryption), and decrypts every Nth packet to read the publisher's
 * send time for latency. Thread: receive on the shared loop; send from the pacer task on the same loop (its own SRTP
 * context); connect() from a set-up thread.
 */
public final class LoadEndpoint {
    private static final SecureRandom RND = new SecureRandom();
    public final String ufrag = token(8), pwd = token(24);
    private final DtlsCertificate cert;
    private final EventLoopGroup loop;
    private final ExecutorService handshakes;
    private final LatencyRecorder latency;
    private final int latencySampleEvery;
    private Channel channel;
    private InetSocketAddress server;
    private DtlsSession dtls;
    private volatile SrtpSession rx, tx;
    private final CountDownLatch stunOk = new CountDownLatch(1), dtlsOk = new CountDownLatch(1);
    /** Receive statistics per SSRC, on the loop. */
    private final IntObjectHashMap<StreamStats> streams = new IntObjectHashMap<>();
    private volatile boolean closed;
    /** Publishers: set when a PLI arrives; the pacer sends a key frame next. */
    public volatile boolean keyframeRequested;
    public volatile long plis;

    public static final class StreamStats {
        boolean init;
        int cycles, maxSeq;
        public long received, startExtSeq, startReceived;
        public long extMax() { return (long) cycles + maxSeq; }
    }

    public LoadEndpoint(DtlsCertificate cert, EventLoopGroup loop, ExecutorService handshakes, LatencyRecorder latency, int latencySampleEvery) {
        this.cert = cert;
        this.loop = loop;
        this.handshakes = handshakes;
        this.latency = latency;
        this.latencySampleEvery = Math.max(1, latencySampleEvery);
    }

    static String token(int n) {
        String abc = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(abc.charAt(RND.nextInt(abc.length())));
        return sb.toString();
    }

    /** An offer: sendonly audio/video with the given SSRCs (0: none), plus recvonly sections. */
    public String offer(int audioSsrc, int videoSsrc, int recvAudio, int recvVideo) {
        return org.roundtable.bridge.client.Offers.offer(ufrag, pwd, cert, audioSsrc, videoSsrc, 0, recvAudio, recvVideo);
    }

    /** ICE, then DTLS, then SRTP, against the answer's UDP candidate. Blocks the calling thread. */
    public void connect(String answerSdp, long timeoutMs) throws Exception {
        Sdp answer = Sdp.parse(answerSdp);
        Sdp.Media m = answer.media.get(0);
        for (String line : answerSdp.split("\r\n")) {
            if (!line.startsWith("a=candidate:")) continue;
            String[] p = line.substring(12).split(" ");
            if (p[2].equalsIgnoreCase("udp")) { server = new InetSocketAddress(InetAddress.getByName(p[4]), Integer.parseInt(p[5])); break; }
        }
        if (server == null) throw new IOException("no UDP candidate in the answer");
        channel = new Bootstrap().group(loop).channel(EpollDatagramChannel.class)
                .handler(new Handler()).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        byte[] tx0 = new byte[12];
        long end = System.currentTimeMillis() + timeoutMs;
        while (stunOk.getCount() > 0) {
            if (System.currentTimeMillis() > end) throw new IOException("ICE check got no answer");
            RND.nextBytes(tx0);
            sendRaw(Stun.bindingRequest(tx0, m.iceUfrag + ":" + ufrag, m.icePwd, true));
            stunOk.await(250, TimeUnit.MILLISECONDS);
        }
        dtls = new DtlsSession(cert, true, m.fingerprint, (b, o, l) -> {
            byte[] c = new byte[l];
            System.arraycopy(b, o, c, 0, l);
            sendRaw(c);
        }, keys -> {
            rx = new SrtpSession(keys);
            tx = new SrtpSession(keys);
            dtlsOk.countDown();
        }, e -> {}, (int) timeoutMs);
        handshakes.execute(dtls);
        if (!dtlsOk.await(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) throw new IOException("DTLS did not complete");
    }

    private void sendRaw(byte[] b) {
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(b), server));
    }

    /**
     * Sends one RTP packet built from the template: header fields, then the send time in the last 8
     * bytes of the payload (the server forwards payloads unread). Pacer thread only.
     */
    public void send(byte[] template, int len, int pt, boolean marker, int seq, long ts, int ssrc) {
        SrtpSession s = tx;
        if (s == null || closed) return;
        ByteBuf out = channel.alloc().heapBuffer(len + SrtpSession.MAX_TRAILER);
        byte[] b = out.array();
        int o = out.arrayOffset();
        System.arraycopy(template, 0, b, o, len);
        b[o] = (byte) 0x80;
        b[o + 1] = (byte) ((marker ? 0x80 : 0) | pt);
        RtpPacket.setSequence(b, o, seq);
        RtpPacket.setTimestamp(b, o, ts);
        RtpPacket.setSsrc(b, o, ssrc);
        long now = System.nanoTime();
        for (int i = 0; i < 8; i++) b[o + len - 8 + i] = (byte) (now >>> (56 - 8 * i));
        int n = s.protectRtp(b, o, len, out.capacity(), ssrc);
        if (n < 0) { out.release(); return; }
        out.writerIndex(n);
        channel.write(new DatagramPacket(out, server), channel.voidPromise());
    }

    public void flush() { if (channel != null) channel.flush(); }

    /**
     * A receiver report (RFC 3550, no report blocks) every everyMs, as a browser sends about once a second:
     * the server's RTCP ingress is part of the load, and it is how a peer proves it holds the SRTP keys
     * (the server then drops its DTLS state). For endpoints that only receive (tx is used by no pacer).
     */
    public void sendReceiverReports(long everyMs) {
        int ssrc = RND.nextInt();
        channel.eventLoop().scheduleAtFixedRate(() -> {
            SrtpSession s = tx;
            if (s == null || closed) return;
            byte[] b = new byte[8 + SrtpSession.MAX_TRAILER];
            b[0] = (byte) 0x80;
            b[1] = (byte) Rtcp.RR;
            b[3] = 1;
            RtpPacket.putI32(b, 4, ssrc);
            int n = s.protectRtcp(b, 0, 8, b.length, ssrc);
            if (n > 0) channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(b, 0, n), server), channel.voidPromise());
        }, RND.nextInt((int) everyMs), everyMs, TimeUnit.MILLISECONDS);
    }

    /** Marks the start of the measurement window (on the loop). */
    public void markWindowStart() {
        loop.execute(() -> streams.forEach((k, st) -> { st.startExtSeq = st.extMax(); st.startReceived = st.received; }));
    }

    /** {expected, received} in the window, over every stream this endpoint receives. Call on the loop. */
    public long[] windowCounts() {
        long[] r = new long[2];
        streams.forEach((k, st) -> {
            if (st.startReceived == 0 && st.startExtSeq == 0) return; // began after the window started
            r[0] += st.extMax() - st.startExtSeq;
            r[1] += st.received - st.startReceived;
        });
        return r;
    }

    public int streamCount() { return streams.size(); }
    public long totalReceived() { long[] t = {0}; streams.forEach((k, s) -> t[0] += s.received); return t[0]; }
    public EventLoopGroup loop() { return loop; }

    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        private int sample;

        @Override protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            ByteBuf buf = p.content();
            int len = buf.readableBytes();
            if (len < 1) return;
            int first = buf.getUnsignedByte(buf.readerIndex());
            if (first < 4) {
                byte[] a = new byte[len];
                buf.getBytes(buf.readerIndex(), a);
                Stun.Request r = Stun.parse(a, 0, len);
                if (r != null && r.type == Stun.BINDING_SUCCESS) stunOk.countDown();
            } else if (first >= 20 && first <= 63) {
                byte[] a = new byte[len];
                buf.getBytes(buf.readerIndex(), a);
                DtlsSession d = dtls;
                if (d != null) d.offer(a);
            } else if (first >= 128 && first <= 191 && len >= 12) {
                int ri = buf.readerIndex();
                int pt = buf.getUnsignedByte(ri + 1);
                if (pt >= 192 && pt <= 223) { onRtcp(buf, len); return; }
                int ssrc = buf.getInt(ri + 8), seq = buf.getUnsignedShort(ri + 2);
                StreamStats st = streams.get(ssrc);
                if (st == null) { st = new StreamStats(); streams.put(ssrc, st); }
                if (!st.init) { st.init = true; st.maxSeq = seq; }
                else {
                    int d = (seq - st.maxSeq) & 0xFFFF;
                    if (d < 0x8000) { if (seq < st.maxSeq) st.cycles += 0x10000; st.maxSeq = seq; }
                }
                st.received++;
                if (latency != null && ++sample >= latencySampleEvery && rx != null) {
                    sample = 0;
                    byte[] a = new byte[len];
                    buf.getBytes(ri, a);
                    int n = rx.unprotectRtp(a, 0, len, ssrc);
                    if (n >= 20) {
                        long sent = 0;
                        for (int i = 0; i < 8; i++) sent = (sent << 8) | (a[n - 8 + i] & 0xFF);
                        latency.record(System.nanoTime() - sent);
                    }
                }
            }
        }

        private void onRtcp(ByteBuf buf, int len) {
            SrtpSession s = rx;
            if (s == null) return;
            byte[] a = new byte[len];
            buf.getBytes(buf.readerIndex(), a);
            int n = s.unprotectRtcp(a, 0, len, RtpPacket.i32(a, 4));
            for (int q = 0; n > 0 && q + 4 <= n && Rtcp.length(a, q) > 0; q += Rtcp.length(a, q)) {
                if (Rtcp.packetType(a, q) == Rtcp.PSFB && (Rtcp.fmt(a, q) == Rtcp.FMT_PLI || Rtcp.fmt(a, q) == Rtcp.FMT_FIR)) {
                    keyframeRequested = true;
                    plis++;
                }
            }
        }
    }

    public void close() {
        closed = true;
        if (dtls != null) dtls.close();
        if (channel != null) channel.close();
    }
}
