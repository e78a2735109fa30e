package org.roundtable.bridge.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RTP time to the sender's wall clock from SRs: the mapping, a drifting clock, wraps, outliers, a restart. */
class SenderClockTest {
    static final long NTP0 = 3_900_000_000L;     // seconds since 1900, about 2023

    /** An SR at sender time ms (relative to NTP0) with RTP time rtp. */
    static void sr(SenderClock c, double ms, long rtp) {
        long sec = NTP0 + (long) Math.floor(ms / 1000);
        double frac = (ms / 1000 - Math.floor(ms / 1000)) * 4294967296.0;
        c.update(sec, (long) frac, rtp & 0xFFFFFFFFL);
    }

    static double rel(SenderClock c, long rtp) { return c.captureMs(rtp) - NTP0 * 1000.0; }

    @Test void mapsRtpTimeToTheSendersClock() {
        SenderClock c = new SenderClock(90_000);
        assertFalse(c.known());
        assertTrue(Double.isNaN(c.captureMs(1234)));
        sr(c, 1000, 500_000);
        assertEquals(1000, rel(c, 500_000), 0.01);
        assertEquals(1500, rel(c, 545_000), 0.01, "45,000 ticks at 90 kHz is 500 ms");
        assertEquals(900, rel(c, 491_000), 0.01, "and before the report too");
    }

    @Test void followsAClockThatRunsFastAndAcrossTheWrap() {
        SenderClock c = new SenderClock(48_000);
        long base = 0xFFFF_0000L;                 // wraps within a few seconds
        // the sender's RTP clock runs 0.2% fast: 48,096 ticks per sender second
        for (int i = 0; i < 8; i++) sr(c, 1000 + i * 1000, base + i * 48_096L);
        double at = rel(c, base + 10 * 48_096L);
        assertEquals(11_000, at, 1.0, "ten seconds on: the fitted rate keeps it within 1 ms (nominal would be off by 20 ms)");
    }

    @Test void ignoresAnOutlierButFollowsARestartedClock() {
        SenderClock c = new SenderClock(90_000);
        for (int i = 0; i < 5; i++) sr(c, i * 1000, 90_000L * i);
        sr(c, 5000 + 300, 90_000L * 5);           // a report 300 ms off: ignored
        assertEquals(5000, rel(c, 90_000L * 5), 0.5);
        for (int i = 0; i < 3; i++) sr(c, 20_000 + i * 1000, 7_000_000L + 90_000L * i);   // a new RTP base, three times
        assertEquals(22_000, rel(c, 7_000_000L + 180_000L), 0.5, "after three agreeing reports the new clock is followed");
    }
}
