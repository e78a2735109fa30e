package org.roundtable.streaming.rtmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The push's retry loop on fake time: the waits it asks for, without waiting them. */
class PushScheduleTest {
    @Test void aRefusedTargetIsRetriedOnTheDoublingSchedule() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) { port = s.getLocalPort(); }
        List<Long> waits = new CopyOnWriteArrayList<>();
        RtmpPush[] push = new RtmpPush[1];
        Timing fake = new Timing() {
            long now = 1_000_000_000L;
            @Override public long nanos() { return now; }
            @Override public Instant now() { return Instant.ofEpochSecond(now / 1_000_000_000L); }
            @Override public void sleep(long nanos, CountDownLatch wake) {
                waits.add(nanos / 1_000_000);
                now += nanos;
                if (waits.size() == 8) push[0].close();
            }
        };
        push[0] = new RtmpPush(new RtmpUrl(false, "127.0.0.1", port, "live", "k"), RtmpOptions.DEFAULTS, null, null, fake);
        push[0].open(Synthetic.tracks());
        assertTrue(push[0].awaitStopped(Duration.ofSeconds(10)));
        assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L, 10_000L), waits);
        assertEquals(8, push[0].stats().reconnects());
        assertEquals(RtmpPush.State.STOPPED, push[0].state());
    }
}
