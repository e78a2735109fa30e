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
public class BridgeLoopbackTest {
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

    /** Picks, for each receive section, a source of that kind not the receiver's own (shared with MultiLoopTest). */
    public static Endpoint.SourcePicker picker(Conference c, String self) {
        return new Endpoint.SourcePicker() {
            @Override public MediaSource pick(MediaKind kind, Set<MediaSource> taken, Set<String> codecs) {
                for (MediaSource s : c.sources()) if (s.kind == kind && !taken.contains(s) && !s.ownerId.equals(self)) return s;
                return null;
            }
        };
    }

    public static boolean waitFor(long ms, BooleanSupplier c) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) { if (c.getAsBoolean()) return true; Thread.sleep(20); }
        return c.getAsBoolean();
    }

    /** SSRCs the answer gives for the receive sections: {audio, video, videoRtx}. */
    public static int[] answerSsrcs(String answer) throws Exception {
        int[] r = new int[3];
        for (Sdp.Media m : Sdp.parse(answer).media) {
            if (!m.direction.equals("sendonly")) continue;
            if (m.kind.equals("audio")) r[0] = m.ssrcs.get(0);
            else { r[1] = m.fidGroups.get(0)[0]; r[2] = m.fidGroups.get(0)[1]; }
        }
        return r;
    }

    public static byte[] vp8(boolean key, int n) {
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

            // The same NACK again at once (before our answer could have arrived): not re-sent, counted.
            // A NACK for the next packet after it shows the order: its answer is the second RTX, not the third.
            cb.sendRtcp(nack, 16);
            RtpPacket.putU16(nack, 12, (outSeq0 + 11) & 0xFFFF);
            cb.sendRtcp(nack, 16);
            assertTrue(waitFor(2000, () -> cb.receivedFrom(out[2]) >= 2), "the next NACK is answered");
            assertEquals(2, cb.receivedFrom(out[2]), "a packet is not re-sent twice within a round trip");
            assertEquals(1, metrics.dropped(DropReason.NACK_RECENTLY_SENT));
            assertEquals(2, (long) metrics.retransmissions.get());

            // PLI from the receiver reaches the publisher
            Thread.sleep(350);
            long plis = ca.plisReceived.get();
            byte[] pli = new byte[12];
            Rtcp.writePli(pli, 0, 0x0B0B0B0B, out[1]);
            cb.sendRtcp(pli, 12);
            assertTrue(waitFor(2000, () -> ca.plisReceived.get() > plis), "PLI forwarded to the publisher");
            assertTrue(waitFor(2500, () -> ca.rembReceived.get() > 0), "publisher gets REMB");
            assertTrue(waitFor(2500, () -> cb.rtcpReceived.get() > 0), "receiver gets sender reports");

            // Garbage from a stranger: each datagram is one drop, for the reason its first byte decides
            // (RFC 7983): no STUN parses (random bytes lack the magic cookie), DTLS and RTP reach no endpoint.
            long[] before = drops();
            long[] expected = new long[DropReason.values().length];
            if (!tcp) {
                try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
                    java.util.Random rnd = new java.util.Random(42);
                    for (int i = 0; i < 200; i++) {
                        byte[] g = new byte[1 + rnd.nextInt(300)];
                        rnd.nextBytes(g);
                        int first = g[0] & 0xFF;
                        DropReason r = first < 4 ? DropReason.MALFORMED_STUN
                                : (first >= 20 && first <= 63) || (first >= 128 && first <= 191) ? DropReason.NO_ENDPOINT
                                : DropReason.UNKNOWN_PROTOCOL;
                        expected[r.ordinal()]++;
                        stranger.send(new DatagramPacket(g, g.length, InetAddress.getByName("127.0.0.1"), bridge.udpPort()));
                    }
                }
                assertDrops(before, expected, 200);
            }

            // Garbage from the publisher's own (authenticated) address: one drop each, for its own reason.
            before = drops();
            expected = new long[DropReason.values().length];
            long unprotectFailures = (long) metrics.srtpUnprotectFailures.get();
            ca.sendRaw(new byte[] {(byte) 0x80, 96, 0});                                      // truncated RTP
            expected[DropReason.MALFORMED_RTP.ordinal()]++;
            ca.sendRaw(MediaClient.rtp(96, false, 5000, 1, A_VIDEO, new byte[40]));          // RTP with no auth tag
            expected[DropReason.SRTP_AUTH.ordinal()]++;
            ca.sendRaw(new byte[] {0, 1, 0, 4, 0x21, 0x12, (byte) 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});  // STUN, length lies
            expected[DropReason.MALFORMED_STUN.ordinal()]++;
            ca.sendRaw(new byte[] {22, (byte) 0xFE, (byte) 0xFD, 0, 0});                        // stray DTLS after the handshake
            expected[DropReason.DTLS_UNEXPECTED.ordinal()]++;
            ca.sendRaw(new byte[] {(byte) 0xC8, 0});                                           // unknown first byte
            expected[DropReason.UNKNOWN_PROTOCOL.ordinal()]++;
            byte[] badRtcp = new byte[8];
            badRtcp[0] = (byte) 0x80; badRtcp[1] = (byte) Rtcp.RR; badRtcp[3] = 9;            // length runs past the end
            ca.sendRtcp(badRtcp, 8);
            expected[DropReason.MALFORMED_RTCP.ordinal()]++;
            assertDrops(before, expected, 6);
            assertEquals(unprotectFailures + 1, (long) metrics.srtpUnprotectFailures.get(), "the forged RTP is one SRTP failure");
            // ...and the meeting carries on
            // (over UDP the 20 packets wait in the socket while the loop is held, as they would behind a busy
            // loop: read in batches and handed out receiver by receiver, the receiver's run of them leaves as
            // GSO messages, and each still arrives on its own)
            long v = cb.receivedFrom(out[1]), gsoBefore = (long) metrics.gsoDatagrams.get();
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1), go = new java.util.concurrent.CountDownLatch(1);
            if (!tcp) bridge.execute(() -> { held.countDown(); try { go.await(5, java.util.concurrent.TimeUnit.SECONDS); } catch (InterruptedException e) { } });
            if (!tcp) assertTrue(held.await(5, java.util.concurrent.TimeUnit.SECONDS));
            for (int i = 50; i < 70; i++) ca.sendRtp(MediaClient.rtp(96, false, seq + i, 3000L * i, A_VIDEO, vp8(false, 900)), 912);
            go.countDown();
            assertTrue(waitFor(2000, () -> cb.receivedFrom(out[1]) == v + 20), "media still flows after garbage");
            if (!tcp && org.roundtable.bridge.transport.UdpSender.gsoSupported())
                assertTrue((long) metrics.gsoDatagrams.get() - gsoBefore >= 16, "a read batch's run for one receiver went as GSO: "
                        + ((long) metrics.gsoDatagrams.get() - gsoBefore) + " datagrams in GSO messages");

            // publisher leaves: the receiver's track ends cleanly
            bridge.call(() -> { a.close("test"); return null; });
            assertTrue(conf.sources().isEmpty());
            assertTrue(bridge.call(() -> b.downTracks().isEmpty()));
        }
    }

    long[] drops() {
        long[] d = new long[DropReason.values().length];
        for (DropReason r : DropReason.values()) d[r.ordinal()] = metrics.dropped(r);
        return d;
    }

    /** Waits for total new drops to reach total, then checks each reason grew by exactly what was expected. */
    void assertDrops(long[] before, long[] expected, long total) throws InterruptedException {
        waitFor(3000, () -> { long[] now = drops(); long t = 0; for (int i = 0; i < now.length; i++) t += now[i] - before[i]; return t >= total; });
        long[] now = drops();
        StringBuilder got = new StringBuilder(), want = new StringBuilder();
        for (DropReason r : DropReason.values()) {
            long d = now[r.ordinal()] - before[r.ordinal()];
            if (d != 0) got.append(r).append('=').append(d).append(' ');
            if (expected[r.ordinal()] != 0) want.append(r).append('=').append(expected[r.ordinal()]).append(' ');
        }
        assertEquals(want.toString(), got.toString(), "drops by reason");
    }

    @Test void forwardsOverUdp() throws Exception { run(false); }

    @Test void forwardsOverIceTcp() throws Exception { run(true); }
}
