package org.roundtable.streaming.rtmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.streaming.rtmp.Synthetic.waitFor;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.roundtable.streaming.LiveFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Servers that never answer, refuse the connection, or stop reading: the push stays bounded and closable. */
class BadPeersTest {
    private final java.util.List<RtmpPush> pushes = new java.util.ArrayList<>();

    private RtmpPush track(RtmpPush p) {
        pushes.add(p);
        return p;
    }

    @AfterEach void closeAll() throws InterruptedException {
        for (RtmpPush p : pushes) p.close();
        for (RtmpPush p : pushes) p.awaitStopped(Duration.ofSeconds(2));
    }

    @Test void aSilentServerTimesOutAndIsRetriedWithBackoff() throws Exception {
        try (FakeRtmpServer server = new FakeRtmpServer(FakeRtmpServer.Mode.SILENT)) {
            RtmpPush push = track(new RtmpPush(server.url("live-key-1234"), Synthetic.fast(), null, null));
            push.open(Synthetic.tracks());
            assertTrue(waitFor(Duration.ofSeconds(10), () -> push.stats().reconnects() >= 3), push.stats().toString());
            assertTrue(push.stats().lastError().contains("handshake: no answer from the server in 300 ms"), push.stats().lastError());
            assertTrue(server.connections.get() >= 3);
            assertEquals(RtmpPush.State.RECONNECTING, push.state());
            push.close();
            assertTrue(push.awaitStopped(Duration.ofSeconds(2)));
        }
    }

    @Test void aServerSilentAfterTheHandshakeTimesOut() throws Exception {
        try (FakeRtmpServer server = new FakeRtmpServer(FakeRtmpServer.Mode.HANDSHAKE_ONLY)) {
            RtmpPush push = track(new RtmpPush(server.url("live-key-1234"), Synthetic.fast(), null, null));
            push.open(Synthetic.tracks());
            assertTrue(waitFor(Duration.ofSeconds(10), () -> push.stats().reconnects() >= 2), push.stats().toString());
            assertEquals("connect: no answer from the server in time", push.stats().lastError());
        }
    }

    @Test void closeIsPromptWhileTheHandshakeWaits() throws Exception {
        try (FakeRtmpServer server = new FakeRtmpServer(FakeRtmpServer.Mode.SILENT)) {
            RtmpOptions patient = Synthetic.fast().withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60));
            RtmpPush push = track(new RtmpPush(server.url("live-key-1234"), patient, null, null));
            push.open(Synthetic.tracks());
            assertTrue(waitFor(Duration.ofSeconds(5), () -> server.connections.get() == 1));
            long t0 = System.nanoTime();
            push.close();
            long closeMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(closeMs < 100, "close() returned after " + closeMs + " ms");
            assertTrue(push.awaitStopped(Duration.ofSeconds(2)), "the push thread ended within 2 s of close()");
            assertEquals(RtmpPush.State.STOPPED, push.state());
        }
    }

    @Test void aRefusedPortIsRetriedWithBackoff() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) { port = s.getLocalPort(); }
        RtmpPush push = track(new RtmpPush(new RtmpUrl(false, "127.0.0.1", port, "live", "live-key-1234"), Synthetic.fast(), null, null));
        push.open(Synthetic.tracks());
        assertTrue(waitFor(Duration.ofSeconds(10), () -> push.stats().reconnects() >= 4), push.stats().toString());
        assertTrue(push.stats().lastError().contains("refused"), push.stats().lastError());
        assertEquals(RtmpPush.State.RECONNECTING, push.state());
        push.close();
        assertTrue(push.awaitStopped(Duration.ofSeconds(2)));
        assertEquals(RtmpPush.State.STOPPED, push.state());
    }

    @Test void aServerThatStopsReadingIsCutAndFrameNeverBlocks() throws Exception {
        try (FakeRtmpServer server = new FakeRtmpServer(FakeRtmpServer.Mode.STALL)) {
            RtmpPush push = track(new RtmpPush(server.url("live-key-1234"), Synthetic.fast(), null, null));
            push.open(Synthetic.tracks());
            LiveFrame key = Synthetic.video(0, 100_000), inter = Synthetic.video(1, 100_000);
            long worstFrameNanos = 0;
            long end = System.nanoTime() + 20_000_000_000L;
            for (int i = 0; System.nanoTime() < end && !String.valueOf(push.stats().lastError()).contains("stalled"); i++) {
                LiveFrame f = i % 60 == 0 ? key : inter;                  // 3 MB a second, far faster than real time
                long t = System.nanoTime();
                push.frame(new LiveFrame(true, f.data(), i * 33_333L, i * 33_333L, f.key()));
                worstFrameNanos = Math.max(worstFrameNanos, System.nanoTime() - t);
                if (i % 10 == 0) Thread.sleep(1);
            }
            RtmpPush.Stats s = push.stats();
            assertTrue(s.lastError().contains("send stalled for 1000 ms: the server stopped reading"), s.toString());
            assertTrue(s.framesDropped() > 0, "a full queue drops: " + s);
            // a frame() that waited on the stuck socket would take the stall timeout (1 s); scheduling hiccups on a busy machine stay far below
            assertTrue(worstFrameNanos < 300_000_000, "frame() took " + worstFrameNanos / 1_000_000 + " ms at worst");
            System.out.printf("stalled peer: frame() took %.2f ms at worst; %s%n", worstFrameNanos / 1e6, s);
            assertTrue(waitFor(Duration.ofSeconds(5), () -> server.connections.get() >= 2), "it reconnects");
            push.close();
            assertTrue(push.awaitStopped(Duration.ofSeconds(2)));
        }
    }

    @Test void closeIsPromptWhileAWriteIsStuck() throws Exception {
        try (FakeRtmpServer server = new FakeRtmpServer(FakeRtmpServer.Mode.STALL)) {
            RtmpOptions patient = Synthetic.fast().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(60));
            RtmpPush push = track(new RtmpPush(server.url("live-key-1234"), patient, null, null));
            push.open(Synthetic.tracks());
            assertTrue(waitFor(Duration.ofSeconds(5), () -> push.state() == RtmpPush.State.LIVE));
            long last = -1;
            for (int i = 0; i < 3000; i++) {                              // until the bytes stop moving: the write is stuck
                push.frame(Synthetic.video(i, 100_000));
                if (i % 20 == 19) {
                    Thread.sleep(100);
                    long b = push.stats().bytesSent();
                    if (b == last) break;
                    last = b;
                }
            }
            assertEquals(RtmpPush.State.LIVE, push.state());
            long t0 = System.nanoTime();
            push.close();
            assertTrue(push.awaitStopped(Duration.ofSeconds(2)), "ended within 2 s of close() though its write was stuck");
            System.out.printf("close with a stuck write: thread ended after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
