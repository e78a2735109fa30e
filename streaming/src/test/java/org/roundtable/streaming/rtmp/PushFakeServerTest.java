package org.roundtable.streaming.rtmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.streaming.rtmp.Synthetic.waitFor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The publish sequence, control replies and refusals against a scripted server. */
class PushFakeServerTest {
    private final java.util.List<RtmpPush> pushes = new java.util.ArrayList<>();

    private RtmpPush track(RtmpPush p) {
        pushes.add(p);
        return p;
    }

    @AfterEach void closeAll() throws InterruptedException {
        for (RtmpPush p : pushes) p.close();
        for (RtmpPush p : pushes) p.awaitStopped(Duration.ofSeconds(2));
    }

    @Test void publishesInOrderAndSaysGoodbye() throws Exception {
        try (FakeRtmpServer server = new FakeRtmpServer(FakeRtmpServer.Mode.PUBLISH)) {
            RtmpMetrics metrics = new RtmpMetrics();
            RtmpPush push = track(new RtmpPush(server.url("k1"), Synthetic.fast(), null, metrics));
            push.open(Synthetic.tracks());
            assertTrue(waitFor(Duration.ofSeconds(5), () -> push.state() == RtmpPush.State.LIVE));
            for (int i = 0; i < 90; i++) {
                push.frame(Synthetic.video(i, 500));
                if (i % 2 == 0) push.frame(Synthetic.audio(i / 2));
            }
            assertTrue(waitFor(Duration.ofSeconds(5), () -> push.stats().framesSent() == 135), push.stats().toString());
            assertEquals(RtmpPush.State.LIVE, push.state());
            assertTrue(push.stats().connectedSince() != null);
            assertEquals(1, metrics.targetsByState().get(RtmpPush.State.LIVE));
            push.close();
            assertTrue(push.awaitStopped(Duration.ofSeconds(2)));
            assertEquals(RtmpPush.State.STOPPED, push.state());
            assertTrue(waitFor(Duration.ofSeconds(2), () -> server.events.contains("deleteStream")));

            List<String> e = new ArrayList<>(server.events);
            assertEquals(List.of("connect", "releaseStream", "FCPublish", "createStream", "publish", "data onMetaData",
                    "video key seq @0", "audio seq @0", "video key @0", "audio @0", "video inter @33"), e.subList(0, 11));
            assertEquals(List.of("FCUnpublish", "deleteStream"), e.subList(e.size() - 2, e.size()));
            assertTrue(e.contains("video key @2000"), "the second key frame 2 s in");
            RtmpMetrics.Totals t = metrics.totals();
            assertEquals(135, t.framesSent());
            assertTrue(t.bytesSent() > 90 * 500, "bytes " + t);
            assertEquals(0, metrics.pushes().size(), "an ended push leaves the live set, its counts stay");
        }
    }

    @Test void answersPingsAndAcknowledgesTheWindow() throws Exception {
        try (FakeRtmpServer server = new FakeRtmpServer(FakeRtmpServer.Mode.PUBLISH)) {
            server.pings = 10;
            RtmpPush push = track(new RtmpPush(server.url("k2"), Synthetic.fast(), null, null));
            push.open(Synthetic.tracks());
            push.frame(Synthetic.video(0, 100));
            assertTrue(waitFor(Duration.ofSeconds(5), () -> server.pongs.get() == 10), "pongs " + server.pongs);
            assertTrue(server.acks.get() >= 1, "the server's 100-byte window was passed: an acknowledgement is due");
            push.close();
            assertTrue(push.awaitStopped(Duration.ofSeconds(2)));
        }
    }

    @Test void aRefusedKeyFailsWithTheServersReason() throws Exception {
        try (FakeRtmpServer server = new FakeRtmpServer(FakeRtmpServer.Mode.REJECT)) {
            RtmpMetrics metrics = new RtmpMetrics();
            RtmpPush push = track(new RtmpPush(server.url("secret-key-1"), Synthetic.fast(), null, metrics));
            push.open(Synthetic.tracks());
            assertTrue(waitFor(Duration.ofSeconds(5), () -> push.state() == RtmpPush.State.FAILED), push.stats().toString());
            RtmpPush.Stats s = push.stats();
            assertEquals("publish refused: NetStream.Publish.BadName (Already publishing)", s.lastError());
            assertEquals(3, server.connections.get(), "maxRejections 3: three tries");
            assertEquals(2, s.reconnects());
            assertFalse(s.toString().contains("secret-key-1"), s.toString());
            assertTrue(push.awaitStopped(Duration.ofSeconds(1)));
            assertEquals(RtmpPush.State.FAILED, push.state());
            assertEquals(1, metrics.targetsByState().get(RtmpPush.State.FAILED), "shown as failed until closed");
            push.close();
            assertEquals(0, metrics.pushes().size());
            assertEquals(2, metrics.totals().reconnects());
        }
    }

    @Test void closeBeforeOpenStops() throws Exception {
        RtmpPush push = track(new RtmpPush(RtmpUrl.parse("rtmp://127.0.0.1:9/live/x")));
        assertEquals(RtmpPush.State.CONNECTING, push.state());
        push.close();
        assertEquals(RtmpPush.State.STOPPED, push.state());
        assertTrue(push.awaitStopped(Duration.ofMillis(10)));
        assertNull(push.stats().lastError());
    }
}
