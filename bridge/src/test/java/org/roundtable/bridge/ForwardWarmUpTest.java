package org.roundtable.bridge;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.bridge.router.BridgeLoopbackTest.answerSsrcs;
import static org.roundtable.bridge.router.BridgeLoopbackTest.picker;
import static org.roundtable.bridge.router.BridgeLoopbackTest.vp8;
import static org.roundtable.bridge.router.BridgeLoopbackTest.waitFor;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.roundtable.bridge.client.MediaClient;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.sdp.Sdp;

/**
 * The forwarding warm-up at start ({@link ForwardWarmUp}): its synthetic meeting forwards every packet it
 * sends to each of its subscribers through the media socket, in both SRTP profiles, answers their RTCP and
 * NACKs and their consent checks, and leaves nothing behind
 * that a user or an operator would see: no packets, endpoints or pinned sockets in the server's metrics, no
 * address bound, and the first real meeting forwards as on a bridge that never warmed up.
 */
class ForwardWarmUpTest {
    static final int PACKETS = 2001;   // not a multiple of the chunk or the rounds

    @ParameterizedTest(name = "{0} media loop(s)")
    @ValueSource(ints = {1, 2})
    void forwardsThroughTheMediaSocketAndLeavesNothingBehind(int loops) throws Exception {
        BridgeMetrics metrics = new BridgeMetrics(new PrometheusRegistry());
        Bridge bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 1_000_000, false, 30_000, 10_000, 2)
                .withTuning(BridgeConfig.Tuning.defaults().withMediaLoops(loops).withWarmUpPackets(PACKETS)), metrics);
        MediaClient ca = new MediaClient(MultiLoopTest.CLIENT_CERT, false), cb = new MediaClient(MultiLoopTest.CLIENT_CERT, false);
        try {
            bridge.start();
            ForwardWarmUp.Result r = bridge.forwardWarmUp();
            assertNotNull(r, "the warm-up finished before start returned");
            assertNull(r.failure(), r.toString());
            assertEquals(PACKETS, r.in(), "every packet sent reached the publisher's endpoint: " + r);
            assertEquals(4L * PACKETS, r.out(), "and went out to each of the 4 subscribers: " + r);
            assertTrue(r.retransmitted() > 0, "NACKs were answered from the retransmission cache: " + r);
            assertTrue(r.rtcpIn() > 20, "RTCP from the publisher and the subscribers was taken in: " + r);
            assertTrue(r.read() >= r.out() + r.retransmitted() + 20, "the clients read all that was sent, consent check answers too: " + r);

            // nothing of it is the server's
            assertTrue(waitFor(2000, () -> bridge.addressBindings() == 0), "no address stays bound: " + bridge.addressBindings());
            assertEquals(0, metrics.pinnedSockets.get(), "no pinned socket is left");
            assertEquals(0, metrics.endpoints.get());
            for (org.roundtable.bridge.metrics.DropReason d : org.roundtable.bridge.metrics.DropReason.values())
                assertEquals(0, metrics.dropped(d), "no drop counted in the server's metrics: " + d);
            assertEquals(0, bridge.ufragBindings(), "no ICE ufrag stays bound");
            assertEquals(0, (long) metrics.gsoDatagrams.get(), "the warm-up's GSO sends are not the server's");
            assertEquals(0, (long) (metrics.audioPktsIn.get() + metrics.videoPktsIn.get() + metrics.audioPktsOut.get() + metrics.videoPktsOut.get()),
                    "the server's packet counts start at 0");
            for (int i = 0; i < loops; i++) assertEquals(0, bridge.loop(i).conferences.get(), "no meeting is placed on loop " + i);

            // the first real meeting forwards: a key frame and 9 more, 10 audio packets
            Conference conf = bridge.conference("first");
            Endpoint a = bridge.createEndpoint(conf, "a", "alice", null), b = bridge.createEndpoint(conf, "b", "bob", null);
            String ansA = conf.call(() -> a.negotiate(Sdp.parse(ca.offer(0x1001, 0x1002, 0x1003, 0, 0)), picker(conf, "alice")));
            String ansB = conf.call(() -> b.negotiate(Sdp.parse(cb.offer(0, 0, 0, 1, 1)), picker(conf, "bob")));
            ca.connect(ansA, 10_000);
            cb.connect(ansB, 10_000);
            assertTrue(waitFor(3000, () -> { try { return conf.call(() -> a.mediaReady() && b.mediaReady()); } catch (Exception e) { return false; } }));
            int[] out = answerSsrcs(ansB);
            for (int i = 0; i < 10; i++) {
                ca.sendRtp(MediaClient.rtp(96, true, 100 + i, 3000L * i, 0x1002, vp8(i == 0, 900)), 912);
                ca.sendRtp(MediaClient.rtp(111, false, 7 + i, 960L * i, 0x1001, new byte[80]), 92);
            }
            assertTrue(waitFor(3000, () -> cb.receivedFrom(out[1]) == 10 && cb.receivedFrom(out[0]) == 10),
                    "video " + cb.receivedFrom(out[1]) + ", audio " + cb.receivedFrom(out[0]));
            assertEquals(20, (long) (metrics.audioPktsIn.get() + metrics.videoPktsIn.get()), "the server counts only the meeting's packets");
            assertEquals(2, metrics.endpoints.get());
        } finally {
            ca.close();
            cb.close();
            bridge.close();
        }
    }
}
