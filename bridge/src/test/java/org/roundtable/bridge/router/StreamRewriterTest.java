package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class StreamRewriterTest {
    @Test void videoWaitsForKeyframeThenMapsContinuously() {
        StreamRewriter r = new StreamRewriter(true, 90000, 1000, 5000);
        assertFalse(r.accept(0xA, 40, 900, false, 0), "no key frame yet");
        assertTrue(r.accept(0xA, 41, 1800, true, 10));
        assertEquals(1000, r.outSeq, "starts at the receiver's own initial sequence number");
        assertEquals(5000, r.outTs);
        assertTrue(r.accept(0xA, 42, 1800, false, 20));
        assertEquals(1001, r.outSeq);
        assertEquals(5000, r.outTs);
        assertTrue(r.accept(0xA, 43, 4800, false, 50));
        assertEquals(1002, r.outSeq);
        assertEquals(8000, r.outTs);
        assertEquals(42, r.sourceSeq(1001), "NACK of an outgoing number maps back to the source's");
    }

    @Test void sourceRestartKeepsTheOutgoingStreamContinuous() {
        StreamRewriter r = new StreamRewriter(true, 90000, 0xFFFE, 0xFFFFFF00L);
        assertTrue(r.accept(0xA, 100, 0, true, 1000));
        assertTrue(r.accept(0xA, 101, 3000, false, 1033));
        assertEquals(0xFFFF, r.outSeq);
        long lastTs = r.outTs;
        // the sender reconnects with a new SSRC and random numbers: output continues after the gap
        assertFalse(r.accept(0xB, 7, 123456, false, 2033), "waits for the new source's key frame");
        assertTrue(r.accept(0xB, 8, 126456, true, 2033));
        assertEquals(0, r.outSeq, "wraps to 0 right after 0xFFFF");
        assertEquals((lastTs + 90000) & 0xFFFFFFFFL, r.outTs, "timestamp advances by the wall-clock gap (1 s)");
        assertTrue(r.accept(0xB, 9, 129456, false, 2066));
        assertEquals(1, r.outSeq);
    }

    @Test void audioNeedsNoKeyframeAndReorderedPacketsMap() {
        StreamRewriter r = new StreamRewriter(false, 48000, 500, 0);
        assertTrue(r.accept(1, 10, 960, false, 0));
        assertTrue(r.accept(1, 12, 2880, false, 40));
        assertTrue(r.accept(1, 11, 1920, false, 41), "late packet still forwarded");
        assertEquals(501, r.outSeq);
        assertEquals(502, r.lastOutSeq(), "the highest stays the highest");
    }
}
