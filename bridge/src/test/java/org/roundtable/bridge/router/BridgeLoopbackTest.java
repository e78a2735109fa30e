package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.*;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.client.MediaClient;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.sdp.Sdp;

/**
 * The real bridge (sockets, ICE-lite, DTLS, SRTP, router) between two headless clients on loopback:
 * one publishes audio and video, the other receives. Checks what a receiver would notice.
 */
class BridgeLoopbackTest {
    static final int A_AUDIO = 0x0A0A0A01, A_VIDEO = 0x0A0A0A02, A_RTX = 0x0A0A0A03;
    static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    Bridge bridge;
    BridgeMetrics metrics;
    int tcpPort;

    @BeforeEach void start() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) { tcpPort = s.getLocalPort(); }
        metrics = new BridgeMetrics(new PrometheusRegistry());
        bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, tcpPort, 1_000_000, false, 30_000, 10_000, 2), metrics);
        bridge.start();
    }

    @AfterEach void stop() { bridge.close(); }

    Endpoint.SourcePicker picker(Conference c, String self) {
        return new Endpoint.SourcePicker() {
            @Override public MediaSource pick(MediaKind kind, Set<MediaSource> taken, Set<String> codecs) {
                for (MediaSource s : c.sources()) if (s.kind == kind && !taken.contains(s) && !s.ownerId.equals(self)) return s;
                return null;
            }
        };
    }

    static boolean waitFor(long ms, BooleanSupplier c) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) { if (c.getAsBoolean()) return true; Thread.sleep(20); }
        return c.getAsBoolean();
    }

    /** SSRCs the answer gives for the receive sections: {audio, video, videoRtx}. */
    static int[] answerSsrcs(String answer) throws Exception {
        int[] r = new int[3];
        for (Sdp.Media m : Sdp.parse(answer).media) {
            if (!m.direction.equals("sendonly")) continue;
            if (m.kind.equals("audio")) r[0] = m.ssrcs.get(0);
            else { r[1] = m.fidGroups.get(0)[0]; r[2] = m.fidGroups.get(0)[1]; }
        }
        return r;
    }

    static byte[] vp8(boolean key, int n) {
        byte[] p = new byte[n];
        p[0] = 0x10;                      // S=1, PID 0
        p[1] = (byte) (key ? 0x00 : 0x01); // VP8 payload header P bit
        return p;
    }

    void run(boolean tcp) throws Exception {
        Conference conf = bridge.conference("m1");
        Endpoint a = bridge.createEndpoint(conf, "a", "alice", null);
        Endpoint b = bridge.createEndpoint(conf, "b", "bob", null);
        try (MediaClient ca = new MediaClient(CLIENT_CERT, tcp); MediaClient cb = new MediaClient(CLIENT_CERT, tcp)) {
            String ansA = bridge.call(() -> a.negotiate(Sdp.parse(ca.offer(A_AUDIO, A_VIDEO, A_RTX, 0, 0)), picker(conf, "alice")));
            String ansB = bridge.call(() -> b.negotiate(Sdp.parse(cb.offer(0, 0, 0, 1, 1)), picker(conf, "bob")));
            assertTrue(ansA.contains("a=ice-lite") && ansA.contains("a=recvonly"), ansA);
            int[] out = answerSsrcs(ansB);
            assertNotEquals(0, out[0]);
            assertNotEquals(A_VIDEO, out[1], "receivers get their own SSRCs");
            ca.connect(ansA, 10_000);
            cb.connect(ansB, 10_000);
            // the client can finish DTLS a moment before the server has installed its SRTP keys
            assertTrue(waitFor(3000, () -> { try { return bridge.call(() -> a.mediaReady() && b.mediaReady()); } catch (Exception e) { return false; } }));

            ConcurrentLinkedQueue<byte[]> got = new ConcurrentLinkedQueue<>();
            cb.onRtp(got::add);
            int seq = 1000;
            for (int i = 0; i < 50; i++) {
                ca.sendRtp(MediaClient.rtp(96, true, seq + i, 3000L * i, A_VIDEO, vp8(i == 0, 900)), 912);
                ca.sendRtp(MediaClient.rtp(111, false, 7 + i, 960L * i, A_AUDIO, new byte[80]), 92);
                Thread.sleep(2);
            }
            assertTrue(waitFor(3000, () -> cb.receivedFrom(out[1]) == 50 && cb.receivedFrom(out[0]) == 50),
                    "receiver gets every packet under its own SSRCs: video " + cb.receivedFrom(out[1]) + ", audio " + cb.receivedFrom(out[0]));
            byte[] firstVideo = got.stream().filter(p -> RtpPacket.ssrc(p, 0) == out[1]).findFirst().orElseThrow();
            assertEquals(96, RtpPacket.payloadType(firstVideo, 0));
            int outSeq0 = RtpPacket.sequence(firstVideo, 0);

            // NACK for the 11th packet: it comes back as RTX with the original sequence number in front
            got.clear();
            byte[] nack = new byte[16];
            nack[0] = (byte) (0x80 | Rtcp.FMT_NACK); nack[1] = (byte) Rtcp.RTPFB; nack[3] = 3;
            RtpPacket.putI32(nack, 4, 0x0B0B0B0B);
            RtpPacket.putI32(nack, 8, out[1]);
            RtpPacket.putU16(nack, 12, (outSeq0 + 10) & 0xFFFF);
            cb.sendRtcp(nack, 16);
            assertTrue(waitFor(2000, () -> cb.receivedFrom(out[2]) == 1), "one retransmission on the RTX SSRC");
            byte[] rtx = got.stream().filter(p -> RtpPacket.ssrc(p, 0) == out[2]).findFirst().orElseThrow();
            assertEquals((outSeq0 + 10) & 0xFFFF, RtpPacket.u16(rtx, 12), "RTX payload starts with the original sequence number");
            assertEquals(97, RtpPacket.payloadType(rtx, 0));

            // PLI from the receiver reaches the publisher
            Thread.sleep(350);
            long plis = ca.plisReceived.get();
            byte[] pli = new byte[12];
            Rtcp.writePli(pli, 0, 0x0B0B0B0B, out[1]);
            cb.sendRtcp(pli, 12);
            assertTrue(waitFor(2000, () -> ca.plisReceived.get() > plis), "PLI forwarded to the publisher");
            assertTrue(waitFor(2500, () -> ca.rembReceived.get() > 0), "publisher gets REMB");
            assertTrue(waitFor(2500, () -> cb.rtcpReceived.get() > 0), "receiver gets sender reports");

            // Garbage: from a stranger, and from the publisher's own address
            long before = totalDrops();
            try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
                java.util.Random rnd = new java.util.Random(42);
                if (!tcp) {
                    for (int i = 0; i < 200; i++) {
                        byte[] g = new byte[1 + rnd.nextInt(300)];
                        rnd.nextBytes(g);
                        stranger.send(new DatagramPacket(g, g.length, InetAddress.getByName("127.0.0.1"), bridge.udpPort()));
                    }
                }
            }
            ca.sendRaw(new byte[] {(byte) 0x80, 96, 0});                                      // truncated RTP
            ca.sendRaw(MediaClient.rtp(96, false, 5000, 1, A_VIDEO, new byte[40]));          // RTP with no auth tag
            ca.sendRaw(new byte[] {0, 1, 0, 4, 0x21, 0x12, (byte) 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});  // STUN, length lies
            ca.sendRaw(new byte[] {22, (byte) 0xFE, (byte) 0xFD, 0, 0});                        // stray DTLS after the handshake
            ca.sendRaw(new byte[] {(byte) 0xC8, 0});                                           // unknown first byte
            byte[] badRtcp = new byte[8];
            badRtcp[0] = (byte) 0x80; badRtcp[1] = (byte) Rtcp.RR; badRtcp[3] = 9;            // length runs past the end
            ca.sendRtcp(badRtcp, 8);
            boolean counted = waitFor(3000, () -> totalDrops() >= before + 6 && metrics.dropped(DropReason.MALFORMED_RTP) > 0
                    && metrics.dropped(DropReason.SRTP_AUTH) + metrics.dropped(DropReason.SRTP_REPLAY) > 0
                    && metrics.dropped(DropReason.MALFORMED_RTCP) > 0 && metrics.dropped(DropReason.DTLS_UNEXPECTED) > 0
                    && metrics.dropped(DropReason.MALFORMED_STUN) > 0 && metrics.dropped(DropReason.UNKNOWN_PROTOCOL) > 0);
            StringBuilder why = new StringBuilder();
            for (DropReason r : DropReason.values()) if (metrics.dropped(r) > 0) why.append(r).append('=').append(metrics.dropped(r)).append(' ');
            assertTrue(counted, "garbage is dropped and counted: " + why);
            assertTrue(metrics.dropped(DropReason.SRTP_AUTH) + metrics.dropped(DropReason.SRTP_REPLAY) > 0, why.toString());
            assertTrue(metrics.dropped(DropReason.MALFORMED_RTCP) > 0);

            // ...and the meeting carries on
            long v = cb.receivedFrom(out[1]);
            for (int i = 50; i < 70; i++) ca.sendRtp(MediaClient.rtp(96, false, seq + i, 3000L * i, A_VIDEO, vp8(false, 900)), 912);
            assertTrue(waitFor(2000, () -> cb.receivedFrom(out[1]) == v + 20), "media still flows after garbage");

            // publisher leaves: the receiver's track ends cleanly
            bridge.call(() -> { a.close("test"); return null; });
            assertTrue(conf.sources().isEmpty());
            assertTrue(bridge.call(() -> b.downTracks().isEmpty()));
        }
    }

    long totalDrops() {
        long t = 0;
        for (DropReason r : DropReason.values()) t += metrics.dropped(r);
        return t;
    }

    @Test void forwardsOverUdp() throws Exception { run(false); }

    @Test void forwardsOverIceTcp() throws Exception { run(true); }
}
