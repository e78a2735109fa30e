package org.roundtable.signaling.sip;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.meeting.SignalingException;

/** Toll fraud rules on a fake clock (no sleeps): the allow-list as a table, per-member and per-meeting rates; and whom a leg latches to. */
class DialOutPolicyTest {
    /** A clock the test moves. */
    static final class FakeClock extends Clock {
        long ms = 1_700_000_000_000L;
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId z) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(ms); }
        @Override public long millis() { return ms; }
    }

    @Test void theDefaultAllowListIsInternalExtensionsOnly() {
        DialOutPolicy p = new DialOutPolicy(ServerConfig.DialOut.DEFAULT, Clock.systemUTC());
        for (String ok : List.of("100", "4711", "123456")) assertTrue(p.allowed(ok), ok);
        for (String no : List.of("+900123456", "0900123456", "1234567", "12", "00491701234567", "sip:bob@evil.example", "4711@evil.example",
                "sip:4711@evil.example", "4711\n", " 4711", ""))
            assertFalse(p.allowed(no), no);
        assertFalse(p.allowed(null));
    }

    @Test void patternsMatchTheWholeTarget() throws Exception {
        DialOutPolicy p = new DialOutPolicy(new ServerConfig.DialOut(List.of("^0[1-9][0-9]{8}$", "sip:[a-z]+@pbx\\.example\\.com"), 5, 20), Clock.systemUTC());
        assertTrue(p.allowed("0301234567"));
        assertTrue(p.allowed("sip:bob@pbx.example.com"));
        assertFalse(p.allowed("sip:bob@pbx.example.com.evil"), "unanchored patterns still match the whole target");
        assertFalse(p.allowed("09001234567"));
        SignalingException e = assertThrows(SignalingException.class, () -> p.checkTarget("+900123456"));
        assertEquals("target_not_allowed", e.code);
        assertEquals(403, e.httpStatus);
        assertThrows(IllegalArgumentException.class, () -> new ServerConfig.DialOut(List.of("(unclosed"), 5, 20), "a bad pattern stops the start");
    }

    @Test void ratesPerMemberAndPerMeetingSlideOverAMinute() throws Exception {
        FakeClock clock = new FakeClock();
        DialOutPolicy p = new DialOutPolicy(new ServerConfig.DialOut(List.of(".*"), 2, 3), clock);
        p.take("m1", "user:ann");
        clock.ms += 1000;
        p.take("m1", "user:ann");
        SignalingException e = assertThrows(SignalingException.class, () -> p.take("m1", "user:ann"), "a third call within the minute");
        assertEquals("rate_limited", e.code);
        assertEquals(429, e.httpStatus);
        assertTrue(e.getMessage().contains("retry in 59 s"), e.getMessage());
        p.take("m1", "user:bob");                       // another member: the meeting's third
        SignalingException m = assertThrows(SignalingException.class, () -> p.take("m1", "user:cy"), "the meeting's fourth");
        assertTrue(m.getMessage().contains("per meeting"), m.getMessage());
        assertThrows(SignalingException.class, () -> p.take("m1", null), "server-side dials count on the meeting too");
        p.take("m2", "user:ann");                       // another meeting has its own minute (and ann hers there)
        clock.ms += 59_000;                             // ann's first call is a minute old
        p.take("m1", "user:cy");
        assertThrows(SignalingException.class, () -> p.take("m1", "user:ann"), "refusals took nothing, but the meeting is full again");
        clock.ms += 1_000;
        p.take("m1", "user:ann");
    }

    @Test void aLegLatchesToTheSdpAddressUnlessItIsUnusable() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1"), pub = InetAddress.getByName("198.51.100.7"), lan = InetAddress.getByName("10.0.0.9");
        assertFalse(MediaLatch.comedia("auto", "127.0.0.1", lo));
        assertFalse(MediaLatch.comedia("auto", "198.51.100.20", pub), "a public address: the SDP's");
        assertFalse(MediaLatch.comedia("auto", "10.0.0.5", lan), "a PBX on the LAN passing a LAN phone's address");
        assertTrue(MediaLatch.comedia("auto", "10.0.0.5", pub), "a private address while SIP came from a public one: NAT");
        assertTrue(MediaLatch.comedia("auto", "192.168.1.20", lo));
        assertTrue(MediaLatch.comedia("auto", "100.64.3.4", pub), "carrier-grade NAT");
        assertTrue(MediaLatch.comedia("auto", "0.0.0.0", lo));
        assertTrue(MediaLatch.comedia("sdp", "0.0.0.0", lo), "0.0.0.0 is never an address to latch to");
        assertFalse(MediaLatch.comedia("sdp", "10.0.0.5", pub));
        assertTrue(MediaLatch.comedia("first-packet", "127.0.0.1", lo));
    }
}
