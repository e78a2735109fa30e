package org.roundtable.streaming.hls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The held-request registry alone: no lost wake-ups under races, each waiter answered once, the sweep, the cap. */
class WaitersTest {
    @Test void everyWaiterIsAnsweredExactlyOnceWhilePublicationsRace() throws Exception {
        AtomicReference<HlsSnapshot> current = new AtomicReference<>(PlaylistWriterTest.live(0, 1, 0, false));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        FakeTimer timer = new FakeTimer(0);
        HlsMetrics metrics = new HlsMetrics();
        Waiters w = new Waiters(current::get, pool, timer, 6000, 100_000, metrics);
        AtomicInteger answered = new AtomicInteger(), twice = new AtomicInteger(), expired = new AtomicInteger();
        int adders = 3, each = 3000;
        Thread[] threads = new Thread[adders];
        for (int t = 0; t < adders; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    long wanted = current.get().nextMsn;         // the segment being made: not there yet
                    AtomicInteger calls = new AtomicInteger();
                    assertTrue(w.add(new Waiters.Waiter() {
                        @Override public boolean ready(HlsSnapshot s) { return s.has(wanted, -1); }
                        @Override public void answer(HlsSnapshot s) {
                            if (calls.incrementAndGet() > 1) twice.incrementAndGet();
                            answered.incrementAndGet();
                        }
                        @Override public void expire() { expired.incrementAndGet(); }
                    }));
                }
            });
            threads[t].start();
        }
        for (long msn = 2; msn < 400; msn++) {                  // the composition publishing, racing the adders
            current.set(PlaylistWriterTest.live(Math.max(0, msn - 6), msn, 0, false));
            w.published();
            Thread.yield();
        }
        for (Thread t : threads) t.join();
        current.set(PlaylistWriterTest.live(400, 402, 0, false));
        w.published();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (answered.get() < adders * each && System.nanoTime() < end) Thread.sleep(5);
        pool.shutdown();
        assertEquals(adders * each, answered.get(), "no waiter left behind");
        assertEquals(0, twice.get());
        assertEquals(0, expired.get());
        assertEquals(0, w.size());
        assertEquals(0, metrics.waiting());
    }

    @Test void theSweepExpiresDueWaitersInOrderAndTheCapRefuses() {
        FakeTimer timer = new FakeTimer(0);
        HlsSnapshot never = PlaylistWriterTest.live(0, 1, 0, false);
        Waiters w = new Waiters(() -> never, Runnable::run, timer, 6000, 3, new HlsMetrics());
        AtomicInteger expired = new AtomicInteger();
        Waiters.Waiter waiter = new Waiters.Waiter() {
            @Override public boolean ready(HlsSnapshot s) { return false; }
            @Override public void answer(HlsSnapshot s) { throw new AssertionError(); }
            @Override public void expire() { expired.incrementAndGet(); }
        };
        assertTrue(w.add(waiter));
        timer.advance(1000);
        assertTrue(w.add(waiter));
        assertTrue(w.add(waiter));
        assertFalse(w.add(waiter), "the fourth is over the cap");
        timer.advance(5000);
        assertEquals(1, expired.get(), "the first, 6 s old");
        assertEquals(2, w.size());
        timer.advance(999);
        assertEquals(1, expired.get());
        timer.advance(1);
        assertEquals(3, expired.get());
        assertEquals(0, timer.pending(), "nothing held, no sweep set");
    }
}
