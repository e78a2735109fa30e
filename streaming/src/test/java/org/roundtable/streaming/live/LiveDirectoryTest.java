package org.roundtable.streaming.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.roundtable.streaming.hls.HlsConfig;
import org.roundtable.streaming.hls.HlsLookup;
import org.roundtable.streaming.hls.HlsRuntime;
import org.roundtable.streaming.hls.HlsStream;

/** Live links: unguessable tokens, revocation (403, the stream goes on under a new link), ended links remembered an hour. Fake clock. */
class LiveDirectoryTest {
    static final class FakeClock extends Clock {
        long ms = 1_800_000_000_000L;
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId z) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(ms); }
        @Override public long millis() { return ms; }
    }

    @Test
    void tokensAreLongRandomAndRevocable() {
        FakeClock clock = new FakeClock();
        LiveDirectory d = new LiveDirectory(clock);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            LiveDirectory.Channel c = d.open("m" + i, "s");
            assertTrue(c.token.matches("[A-Za-z0-9_-]{22}"), c.token);
            assertTrue(seen.add(c.token), "no token twice");
        }
        HlsStream hls = new HlsStream(HlsConfig.defaults(), HlsRuntime.create(Runnable::run, Executors.newSingleThreadScheduledExecutor()));
        LiveDirectory.Channel c = d.open("meeting", "Weekly");
        assertEquals(HlsLookup.Status.UNKNOWN, d.lookup(c.token).status(), "waiting: nothing to serve yet");
        d.live(c, hls);
        assertSame(hls, d.lookup(c.token).stream());
        LiveDirectory.Channel n = d.revoke(c);
        assertNotEquals(c.token, n.token);
        assertEquals(HlsLookup.Status.REVOKED, d.lookup(c.token).status(), "the old link is refused");
        assertNull(d.find(c.token));
        assertSame(hls, d.lookup(n.token).stream(), "the stream goes on under the new link");
        assertEquals(HlsLookup.Status.UNKNOWN, d.lookup("AAAAAAAAAAAAAAAAAAAAAA").status());
        assertEquals(HlsLookup.Status.UNKNOWN, d.lookup(null).status());
        hls.close();
    }

    @Test
    void anEndedLinkSaysSoForAnHourThenIsForgotten() {
        FakeClock clock = new FakeClock();
        LiveDirectory d = new LiveDirectory(clock);
        LiveDirectory.Channel c = d.open("meeting", null);
        assertEquals("Live meeting", c.subject(), "a subject for the page even without one");
        d.end(c);
        assertEquals(LiveDirectory.State.ENDED, d.find(c.token).state());
        clock.ms += 3_599_000;
        d.open("other", "x");                   // sweeps
        assertSame(c, d.find(c.token), "still told it ended");
        clock.ms += 2_000;
        d.open("other", "y");
        assertNull(d.find(c.token), "forgotten after an hour");
        LiveDirectory.Channel r = d.open("m", "z");
        d.revoke(r);
        clock.ms += 86_400_000 + 1;
        d.open("m", "w");
        assertTrue(!d.isRevoked(r.token), "revocations are remembered for a day");
    }
}
