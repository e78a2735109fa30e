package org.roundtable.streaming.rtmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The retry schedule and the write watchdog, on a fake clock (times in ms, given as nanos). */
class BackoffTest {
    private static final long MS = 1_000_000;

    @Test void doublesToTheCapAndResetsAfterAStablePeriod() {
        Backoff b = new Backoff(500 * MS, 10_000 * MS, 30_000 * MS);
        long now = 0;
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long d = b.failed(now);
            delays.add(d / MS);
            now += d;
        }
        assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L, 10_000L), delays);

        b.live(now);                                        // live, but only 29 s: still backing off
        now += 29_000 * MS;
        assertEquals(10_000, b.failed(now) / MS);
        b.live(now);                                        // live 30 s: stable, the schedule starts again
        now += 30_000 * MS;
        assertEquals(500, b.failed(now) / MS);
        assertEquals(1000, b.failed(now) / MS);
        for (int i = 0; i < 100; i++) b.failed(now);        // no overflow after many failures
        assertEquals(10_000, b.failed(now) / MS);
    }

    @Test void watchdogCutsAStalledWriteAndAMissedCloseDeadline() {
        Watchdog w = new Watchdog(10_000 * MS);
        assertNull(w.check(5));
        w.writeStarted(1_000 * MS);
        assertNull(w.check(11_000 * MS));
        assertTrue(w.check(11_001 * MS).contains("stalled for 10000 ms"));
        w.writeDone();
        assertNull(w.check(60_000 * MS), "no write in progress: nothing stalls");
        w.writeStarted(-5 * MS);                            // nanoTime may be negative
        assertNull(w.check(9_000 * MS));
        w.writeDone();
        w.deadline(70_000 * MS);
        assertNull(w.check(70_000 * MS));
        assertTrue(w.check(70_001 * MS).contains("closed"));
    }
}
