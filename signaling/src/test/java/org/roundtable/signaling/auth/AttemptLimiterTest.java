package org.roundtable.signaling.auth;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AttemptLimiterTest {
    final AtomicLong now = new AtomicLong(1_000_000);
    final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId z) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(now.get()); }
    };

    @Test void locksASourceOutAfterRepeatedFailures() {
        AttemptLimiter l = new AttemptLimiter(clock, 3, 10, 60_000, 300_000);
        assertFalse(l.failure("1.2.3.4", "m1"));
        assertFalse(l.failure("1.2.3.4", "m2"));
        assertEquals(0, l.retryAfterMs("1.2.3.4", "m1"));
        assertTrue(l.failure("1.2.3.4", "m3"), "third failure in the window locks the source");
        assertEquals(300_000, l.retryAfterMs("1.2.3.4", "anything"));
        assertEquals(0, l.retryAfterMs("5.6.7.8", "m1"), "other sources are unaffected");
        now.addAndGet(300_001);
        assertEquals(0, l.retryAfterMs("1.2.3.4", "m1"), "the lockout ends");
    }

    @Test void failuresOutsideTheWindowDoNotCount() {
        AttemptLimiter l = new AttemptLimiter(clock, 3, 10, 60_000, 300_000);
        l.failure("a", null);
        l.failure("a", null);
        now.addAndGet(61_000);
        assertFalse(l.failure("a", null));
        assertEquals(0, l.retryAfterMs("a", null));
    }

    @Test void locksAMeetingAgainstDistributedGuessing() {
        AttemptLimiter l = new AttemptLimiter(clock, 100, 4, 60_000, 120_000);
        for (int i = 0; i < 3; i++) assertFalse(l.failure("10.0.0." + i, "123456789"));
        assertTrue(l.failure("10.0.0.9", "123456789"), "many sources guessing one meeting's password");
        assertEquals(120_000, l.retryAfterMs("10.0.0.50", "123456789"));
        assertEquals(0, l.retryAfterMs("10.0.0.50", "987654321"));
    }
}
