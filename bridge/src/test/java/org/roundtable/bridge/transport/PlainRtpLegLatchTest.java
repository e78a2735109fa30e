package org.roundtable.bridge.transport;

import static org.junit.jupiter.api.Assertions.*;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.rtp.Rfc4733;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;

/**
 * Hole 5 (RTP bleed), played by a stranger on the same host: a phone leg latches once, to the SDP
 * address or (comedia) the first valid packet after the answer, and RTP, RFC 4733 keys and RTCP from any
 * other address are dropped and counted; nothing of theirs reaches the handler, and they cannot move the
 * leg's media. A re-INVITE (moveTo) is the only way to another address.
 */
class PlainRtpLegLatchTest {
    BridgeMetrics metrics;
    Bridge bridge;
    final List<Integer> audioSeqs = new CopyOnWriteArrayList<>();
    final List<Character> keys = new CopyOnWriteArrayList<>();
    final AtomicInteger rtcpIn = new AtomicInteger(), rtcpForeign = new AtomicInteger();
    DatagramSocket phone, stranger;
    final InetAddress lo = InetAddress.getLoopbackAddress();

    @BeforeEach void setUp() throws Exception {
        metrics = new BridgeMetrics(new PrometheusRegistry());
        bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 1_000_000, false, 30_000, 10_000, 2), metrics);
        bridge.start();
        phone = new DatagramSocket(0, lo);
        stranger = new DatagramSocket(0, lo);
        phone.setSoTimeout(50);
        stranger.setSoTimeout(50);
    }

    @AfterEach void tearDown() throws Exception {
        phone.close();
        stranger.close();
        bridge.close();
    }

    PlainRtpLeg leg(boolean mux) throws Exception {
        PlainRtpLeg leg = new PlainRtpLeg(bridge, 0, 101, 8000, new PlainRtpLeg.Handler() {
            @Override public void onAudio(int seq, long ts, byte[] b, int off, int len) { audioSeqs.add(seq); }
            @Override public void onKey(char key) { keys.add(key); }
        });
        if (mux) { leg.start("127.0.0.1", 0); leg.rtcpMux(true); } else leg.startWithRtcp("127.0.0.1");
        leg.rtcpObserver(new PlainRtpLeg.RtcpObserver() {
            @Override public void received(String type) { rtcpIn.incrementAndGet(); }
            @Override public void sent(String type) { }
            @Override public void dropped(String why) { if (why.equals("foreign_source")) rtcpForeign.incrementAndGet(); }
        });
        return leg;
    }

    static void rtp(DatagramSocket from, int port, int pt, int seq, long ts, int ssrc, byte[] payload) throws Exception {
        byte[] pkt = new byte[12 + payload.length];
        pkt[0] = (byte) 0x80;
        pkt[1] = (byte) pt;
        RtpPacket.setSequence(pkt, 0, seq);
        RtpPacket.setTimestamp(pkt, 0, ts);
        RtpPacket.setSsrc(pkt, 0, ssrc);
        System.arraycopy(payload, 0, pkt, 12, payload.length);
        from.send(new DatagramPacket(pkt, pkt.length, new InetSocketAddress("127.0.0.1", port)));
    }

    /** The key k (RFC 4733 on PT 101: start, then three end packets). */
    static void key(DatagramSocket from, int port, char k, int seq, long ts) throws Exception {
        int event = k == '*' ? 10 : k == '#' ? 11 : k - '0';
        for (int i = 0; i < 4; i++) rtp(from, port, 101, seq + i, ts, 99, Rfc4733.payload(event, i > 0, 10, 400 * (i + 1)));
    }

    static void rr(DatagramSocket from, int port) throws Exception {
        byte[] b = new byte[64];
        int n = Rtcp.writeRrHeader(b, 0, 0x5555, 0);
        from.send(new DatagramPacket(b, n, new InetSocketAddress("127.0.0.1", port)));
    }

    static boolean waitFor(long ms, BooleanSupplier c) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (!c.getAsBoolean() && System.currentTimeMillis() < end) Thread.sleep(5);
        return c.getAsBoolean();
    }

    /** What the stranger gets: nothing heard, no key, no RTCP taken, every packet a counted drop; the phone still is heard. */
    void strangerIsIgnored(PlainRtpLeg leg, int rtcpPort) throws Exception {
        int heard = audioSeqs.size();
        long dropsBefore = metrics.dropped(DropReason.FOREIGN_SOURCE);
        int rtcpBefore = rtcpIn.get();
        for (int i = 0; i < 5; i++) rtp(stranger, leg.localPort(), 0, 5000 + i, 5000L * i, 0xBAD, new byte[160]);
        key(stranger, leg.localPort(), '*', 6000, 90_000);
        key(stranger, leg.localPort(), '7', 6010, 91_000);
        rr(stranger, rtcpPort);
        assertTrue(waitFor(3000, () -> metrics.dropped(DropReason.FOREIGN_SOURCE) == dropsBefore + 14), "each stranger packet is a counted drop: "
                + (metrics.dropped(DropReason.FOREIGN_SOURCE) - dropsBefore));
        assertEquals(1, rtcpForeign.get(), "the stranger's RTCP is counted as foreign");
        assertEquals(heard, audioSeqs.size(), "nothing of the stranger's is heard");
        assertEquals(List.of(), keys, "the stranger's *7 presses no key");
        assertEquals(rtcpBefore, rtcpIn.get(), "the stranger's RTCP is not taken");
        assertEquals(new InetSocketAddress("127.0.0.1", phone.getLocalPort()), leg.latchedRemote(), "the stranger did not move the media");
        // the phone is still heard, and its keys still work
        rtp(phone, leg.localPort(), 0, 200, 32000, 42, new byte[160]);
        key(phone, leg.localPort(), '5', 201, 33000);
        assertTrue(waitFor(3000, () -> audioSeqs.contains(200) && keys.contains('5')), "the phone is heard: " + audioSeqs + " " + keys);
        assertFalse(audioSeqs.stream().anyMatch(s -> s >= 5000), "never the stranger: " + audioSeqs);
    }

    @Test void latchedToTheSdpAddressAStrangerIsNotHeard() throws Exception {
        try (PlainRtpLeg leg = leg(false)) {
            leg.remote(new InetSocketAddress("127.0.0.1", phone.getLocalPort()));
            // the stranger comes first: still nothing (the SDP named the phone)
            rtp(stranger, leg.localPort(), 0, 1, 0, 0xBAD, new byte[160]);
            assertTrue(waitFor(3000, () -> leg.foreignDrops() == 1));
            rtp(phone, leg.localPort(), 0, 100, 16000, 42, new byte[160]);
            assertTrue(waitFor(3000, () -> audioSeqs.contains(100)), "the phone is heard");
            assertEquals(List.of(100), audioSeqs);
            // the phone's RTCP from its RTP port + 1 is taken; the stranger's is not
            try (DatagramSocket phoneRtcp = new DatagramSocket(phone.getLocalPort() + 1, lo)) {
                rr(phoneRtcp, leg.rtcpLocalPort());
                assertTrue(waitFor(3000, () -> rtcpIn.get() == 1), "the phone's RTCP is taken");
            } catch (java.net.BindException taken) {
                // port + 1 busy on this machine: the RTCP part is covered by the muxed test
            }
            long before = leg.foreignDrops();
            strangerIsIgnored(leg, leg.rtcpLocalPort());
            assertEquals(before + 14, leg.foreignDrops());
        }
    }

    @Test void comediaLatchesOnceToTheFirstPacketAfterTheAnswer() throws Exception {
        try (PlainRtpLeg leg = leg(true)) {
            // before the answer (no remote, no comedia): nothing is heard and nothing latches
            rtp(stranger, leg.localPort(), 0, 1, 0, 0xBAD, new byte[160]);
            assertTrue(waitFor(3000, () -> leg.foreignDrops() == 1));
            assertFalse(leg.latched());
            leg.comedia(null);   // the SDP said 0.0.0.0 / a private address behind NAT
            rtp(phone, leg.localPort(), 0, 100, 16000, 42, new byte[160]);
            assertTrue(waitFor(3000, () -> audioSeqs.contains(100)), "the first packet after the answer is heard");
            assertTrue(leg.latched());
            rr(phone, leg.localPort());   // muxed RTCP from the latched address is taken
            assertTrue(waitFor(3000, () -> rtcpIn.get() == 1));
            long before = leg.foreignDrops();
            strangerIsIgnored(leg, leg.localPort());
            assertEquals(before + 14, leg.foreignDrops());
        }
    }

    /** A multi-homed phone: SDP 127.0.0.2:P, packets from 127.0.0.1:P. The first valid one latches; then no one else. */
    @Test void aPhoneSendingFromAnotherOfItsAddressesIsLearntOnce() throws Exception {
        try (PlainRtpLeg leg = leg(true)) {
            leg.remoteLearning(new InetSocketAddress("127.0.0.2", phone.getLocalPort()));
            rtp(phone, leg.localPort(), 0, 100, 16000, 42, new byte[160]);
            assertTrue(waitFor(3000, () -> audioSeqs.contains(100)), "the same port on another address is the phone");
            assertEquals(new InetSocketAddress("127.0.0.1", phone.getLocalPort()), leg.latchedRemote());
            long before = leg.foreignDrops();
            strangerIsIgnored(leg, leg.localPort());
            assertEquals(before + 14, leg.foreignDrops());
        }
    }

    @Test void onlyANewOfferMovesTheLatch() throws Exception {
        try (PlainRtpLeg leg = leg(true)) {
            leg.remote(new InetSocketAddress("127.0.0.1", stranger.getLocalPort()));
            rtp(phone, leg.localPort(), 0, 1, 0, 42, new byte[160]);
            assertTrue(waitFor(3000, () -> leg.foreignDrops() == 1), "not the SDP address: dropped");
            leg.moveTo(new InetSocketAddress("127.0.0.1", phone.getLocalPort()));   // a re-INVITE in the dialog
            rtp(phone, leg.localPort(), 0, 2, 160, 42, new byte[160]);
            assertTrue(waitFor(3000, () -> audioSeqs.contains(2)), "heard after the re-INVITE");
            assertEquals(List.of(2), audioSeqs);
        }
    }
}
