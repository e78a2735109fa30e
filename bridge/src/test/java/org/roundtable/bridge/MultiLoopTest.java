package org.roundtable.bridge;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.client.MediaClient;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.sdp.Sdp;
import static org.roundtable.bridge.router.BridgeLoopbackTest.answerSsrcs;
import static org.roundtable.bridge.router.BridgeLoopbackTest.picker;
import static org.roundtable.bridge.router.BridgeLoopbackTest.vp8;
import static org.roundtable.bridge.router.BridgeLoopbackTest.waitFor;

/**
 * Two media loops sharing one UDP port (SO_REUSEPORT) and one ICE-TCP port: meetings are spread over the
 * loops, each meeting's endpoints live on its loop, and media, NACKs and PLIs work in every meeting whatever
 * socket the kernel hands a client's packets to. A packet that arrives on the other loop's socket is handed
 * over and handled on its endpoint's loop (forced here, since the kernel's choice is random per boot).
 */
class MultiLoopTest {
    static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    Bridge bridge;
    BridgeMetrics metrics;

    @BeforeEach void start() throws Exception {
        int tcpPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) { tcpPort = s.getLocalPort(); }
        metrics = new BridgeMetrics(new PrometheusRegistry());
        bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, tcpPort, 1_000_000, false, 30_000, 10_000, 2)
                .withTuning(BridgeConfig.Tuning.defaults().withMediaLoops(2)), metrics);
        bridge.start();
    }

    @AfterEach void stop() { bridge.close(); }

    /** One meeting: a publisher and a receiver, connected. */
    record Meeting(Conference conf, Endpoint pub, Endpoint sub, MediaClient cp, MediaClient cs, int[] out) {}

    Meeting meeting(String id, int ssrcBase, boolean tcp) throws Exception {
        Conference conf = bridge.conference(id);
        Endpoint a = bridge.createEndpoint(conf, id + "-a", id + "-alice", null);
        Endpoint b = bridge.createEndpoint(conf, id + "-b", id + "-bob", null);
        MediaClient ca = new MediaClient(CLIENT_CERT, tcp), cb = new MediaClient(CLIENT_CERT, tcp);
        String ansA = conf.call(() -> a.negotiate(Sdp.parse(ca.offer(ssrcBase + 1, ssrcBase + 2, ssrcBase + 3, 0, 0)), picker(conf, id + "-alice")));
        String ansB = conf.call(() -> b.negotiate(Sdp.parse(cb.offer(0, 0, 0, 1, 1)), picker(conf, id + "-bob")));
        ca.connect(ansA, 10_000);
        cb.connect(ansB, 10_000);
        assertTrue(waitFor(3000, () -> { try { return conf.call(() -> a.mediaReady() && b.mediaReady()); } catch (Exception e) { return false; } }), id);
        return new Meeting(conf, a, b, ca, cb, answerSsrcs(ansB));
    }

    /** A dial-out's leg binds on its meeting's loop: its audio reaches the conference without a thread hop. */
    @Test void aLegForAMeetingRunsOnThatMeetingsLoop() throws Exception {
        Conference a = bridge.conference("leg-a"), b = bridge.conference("leg-b");
        assertNotSame(a.host(), b.host(), "two meetings on two loops");
        for (Conference c : List.of(b, a)) {      // the order loops in turn would get wrong
            org.roundtable.bridge.transport.PlainRtpLeg leg = new org.roundtable.bridge.transport.PlainRtpLeg(bridge, bridge.legLoop(c.id), 0, -1, 8000,
                    (seq, ts, buf, off, len) -> { }).start("127.0.0.1", 0);
            try {
                assertTrue(c.call(() -> leg.inLoop()), c.id + ": the leg's socket is read on its meeting's loop");
            } finally {
                leg.close();
            }
        }
        assertNotNull(bridge.legLoop("no-such-meeting"), "a meeting not made yet gets a loop in turn");
        bridge.removeConference("leg-a");
        bridge.removeConference("leg-b");
    }

    @Test void meetingsSpreadOverTheLoopsAndEachForwardsWhereverItsPacketsLand() throws Exception {
        assertEquals(2, bridge.mediaLoops());
        List<Meeting> ms = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) ms.add(meeting("m" + i, 0x100000 * (i + 1), i == 3));
            // placed on the loop with the fewest meetings: two each, endpoints with their meeting
            int[] perLoop = new int[2];
            for (Meeting m : ms) {
                perLoop[((MediaLoop) m.conf.host()).index]++;
                assertSame(m.conf.host(), m.pub.host(), "an endpoint runs on its meeting's loop");
                assertSame(m.conf.host(), m.sub.host());
            }
            assertArrayEquals(new int[] {2, 2}, perLoop, "meetings are spread over the loops");

            List<java.util.concurrent.atomic.AtomicInteger> firstSeq = new ArrayList<>();
            for (Meeting m : ms) {
                java.util.concurrent.atomic.AtomicInteger f = new java.util.concurrent.atomic.AtomicInteger(-1);
                firstSeq.add(f);
                m.cs.onRtp(p -> { if (RtpPacket.ssrc(p, 0) == m.out[1]) f.compareAndSet(-1, RtpPacket.sequence(p, 0)); });
            }
            // Every UDP endpoint has a socket connected to its remote address on its own loop, so the kernel
            // gives each its packets there: none of the UDP meetings' media is handed over (without the pinned
            // sockets the kernel's hash puts some publisher on the other loop's socket 7 times in 8).
            assertTrue(waitFor(2000, () -> metrics.pinnedSockets.get() == 6), "6 UDP endpoints pinned: " + metrics.pinnedSockets.get());
            for (int phase = 0; phase < 2; phase++) {
                long before = (long) metrics.loopHandoffs.get();
                for (int i = 0; i < 30; i++) {
                    for (int k = 0; k < ms.size(); k++) {
                        if ((k == 3) != (phase == 1)) continue;   // the UDP meetings, then the ICE-TCP one
                        Meeting m = ms.get(k);
                        int base = 0x100000 * (k + 1);
                        m.cp.sendRtp(MediaClient.rtp(96, true, 100 + i, 3000L * i, base + 2, vp8(i == 0, 900)), 912);
                        m.cp.sendRtp(MediaClient.rtp(111, false, 7 + i, 960L * i, base + 1, new byte[80]), 92);
                    }
                    Thread.sleep(2);
                }
                for (int k = phase * 3; k < (phase == 0 ? 3 : 4); k++) {
                    Meeting m = ms.get(k);
                    assertTrue(waitFor(3000, () -> m.cs.receivedFrom(m.out[1]) == 30 && m.cs.receivedFrom(m.out[0]) == 30),
                            m.conf.id + " on " + m.conf.host() + ": video " + m.cs.receivedFrom(m.out[1]) + ", audio " + m.cs.receivedFrom(m.out[0]));
                }
                if (phase == 0) assertEquals(before, (long) metrics.loopHandoffs.get(), "UDP media reaches its loop with no hand-over");
            }
            // NACK and PLI from each receiver are answered on its meeting's loop (the cache, the publisher);
            // PLIs reach a publisher at most every 300 ms, and connecting asked for one
            Thread.sleep(350);
            for (int k = 0; k < ms.size(); k++) {
                Meeting m = ms.get(k);
                byte[] nack = new byte[16];
                nack[0] = (byte) (0x80 | Rtcp.FMT_NACK); nack[1] = (byte) Rtcp.RTPFB; nack[3] = 3;
                RtpPacket.putI32(nack, 4, 0x0B0B0B0B);
                RtpPacket.putI32(nack, 8, m.out[1]);
                RtpPacket.putU16(nack, 12, (firstSeq.get(k).get() + 10) & 0xFFFF);
                m.cs.sendRtcp(nack, 16);
                assertTrue(waitFor(2000, () -> m.cs.receivedFrom(m.out[2]) == 1), m.conf.id + ": the NACK is answered on the RTX SSRC");
                long plis = m.cp.plisReceived.get();
                byte[] pli = new byte[12];
                Rtcp.writePli(pli, 0, 0x0B0B0B0B, m.out[1]);
                m.cs.sendRtcp(pli, 12);
                assertTrue(waitFor(2000, () -> m.cp.plisReceived.get() > plis), m.conf.id + ": PLI reaches the publisher");
            }

            // Each peer proved its keys (the publishers' RTP, the receivers' RTCP): no endpoint keeps DTLS state,
            // and media, NACKs and PLIs went on without it
            for (Meeting x : ms) {
                assertFalse(x.conf.call(() -> x.pub.dtlsHeld()), x.conf.id + ": the publisher's DTLS state is released");
                assertFalse(x.conf.call(() -> x.sub.dtlsHeld()), x.conf.id + ": the receiver's DTLS state is released");
            }

            // A packet from a publisher's address that lands on the other loop's socket is handed over and
            // handled on the endpoint's loop: forged RTP is one SRTP failure there, after one hand-over.
            Meeting m = ms.get(0);
            MediaLoop home = (MediaLoop) m.conf.host(), other = bridge.loop(1 - home.index);
            long handoffs = (long) metrics.loopHandoffs.get(), auth = metrics.dropped(DropReason.SRTP_AUTH);
            byte[] forged = MediaClient.rtp(96, false, 5000, 1, 0x100002, new byte[40]);
            ByteBuf buf = Unpooled.wrappedBuffer(forged);
            other.loop.submit(() -> bridge.ingress(buf, m.cp.localAddress(), null, other)).get();
            assertTrue(waitFor(2000, () -> metrics.dropped(DropReason.SRTP_AUTH) == auth + 1), "the endpoint's loop checked it");
            assertEquals(handoffs + 1, (long) metrics.loopHandoffs.get());
            assertTrue(waitFor(2000, () -> buf.refCnt() == 0), "the handed-over buffer is released (after the drop is counted)");
            // ...and the meeting still forwards
            long v = m.cs.receivedFrom(m.out[1]);
            for (int i = 30; i < 40; i++) m.cp.sendRtp(MediaClient.rtp(96, false, 100 + i, 3000L * i, 0x100002, vp8(false, 900)), 912);
            assertTrue(waitFor(2000, () -> m.cs.receivedFrom(m.out[1]) == v + 10));
            System.out.printf("[multi-loop] 2 loops, 4 meetings: %d packets handed between loops%n", (long) metrics.loopHandoffs.get());

            for (Meeting x : ms) x.conf.call(() -> { x.pub.close("test"); x.sub.close("test"); return null; });
            assertTrue(waitFor(2000, () -> metrics.endpoints.get() == 0), "every loop forgot its endpoints");
            assertTrue(waitFor(2000, () -> metrics.pinnedSockets.get() == 0), "and closed their pinned sockets");
        } finally {
            for (Meeting x : ms) { x.cp.close(); x.cs.close(); }
        }
    }
}
