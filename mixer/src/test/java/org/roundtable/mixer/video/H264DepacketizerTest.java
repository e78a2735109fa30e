package org.roundtable.mixer.video;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.mixer.video.H264Frames.*;
import static org.roundtable.mixer.video.Rtp.bytes;
import static org.roundtable.mixer.video.Rtp.concat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RFC 6184 payloads into Annex B: single NAL units, STAP-A split, FU-A joined; the rest refused. */
class H264DepacketizerTest {
    final H264Depacketizer d = new H264Depacketizer();
    final FrameBuffer out = new FrameBuffer(16, 1 << 20);

    boolean add(byte[] p) { return d.append(p, 0, p.length, out); }
    byte[] bytesOut() { return Arrays.copyOf(out.array(), out.length()); }

    @Test
    void stapAThenFuAMakeOneKeyFrameWithStartCodes() {
        d.reset();
        assertTrue(add(stapA(SPS, PPS)));
        byte[][] fus = fuA(IDR, 120);
        assertEquals(3, fus.length);
        assertEquals(0x7C, fus[0][0] & 0xFF);
        assertEquals(0x85, fus[0][1] & 0xFF);
        assertEquals(0x45, fus[2][1] & 0xFF);
        for (byte[] f : fus) assertTrue(add(f));
        assertTrue(d.finish(out));
        assertArrayEquals(concat(START, SPS, START, PPS, START, IDR), bytesOut());
        assertTrue(d.keyframe());
        assertEquals(640, d.width());
        assertEquals(480, d.height());
    }

    @Test
    void singleNalSlicesAreDeltaFrames() {
        d.reset();
        byte[] a = slice(true, 1, 50), b = slice(false, 2, 40);
        assertTrue(add(a));
        assertTrue(add(b));
        assertTrue(d.finish(out));
        assertArrayEquals(annexB(a, b), bytesOut());
        assertFalse(d.keyframe());
        assertEquals(0, d.width());
    }

    @Test
    void frameStarts() {
        assertTrue(d.isFrameStart(SPS, 0, SPS.length));
        assertTrue(d.isFrameStart(PPS, 0, PPS.length));
        assertTrue(d.isFrameStart(bytes(0x09, 0xf0), 0, 2), "access unit delimiter");
        assertTrue(d.isFrameStart(bytes(0x06, 0x05), 0, 2), "SEI");
        byte[] first = slice(true, 0, 4), next = slice(false, 0, 4);
        assertTrue(d.isFrameStart(first, 0, first.length));
        assertFalse(d.isFrameStart(next, 0, next.length), "first_mb_in_slice != 0");
        byte[] stap = stapA(SPS, PPS);
        assertTrue(d.isFrameStart(stap, 0, stap.length));
        byte[][] fus = fuA(IDR, 120);
        assertTrue(d.isFrameStart(fus[0], 0, fus[0].length));
        assertFalse(d.isFrameStart(fus[1], 0, fus[1].length));
        byte[][] fusLater = fuA(slice(false, 0, 200), 120);
        assertFalse(d.isFrameStart(fusLater[0], 0, fusLater[0].length), "FU-A start of a later slice");
        assertFalse(d.isFrameStart(bytes(0x7a, 0x00), 0, 2), "STAP-B");
    }

    @Test
    void refusesInterleavedModeTypesAndBrokenAggregates() {
        d.reset();
        assertFalse(add(bytes(0x79, 0x00, 0x01, 0x00, 0x02, 0x41, 0x9a)), "STAP-B");
        assertFalse(add(bytes(0x7a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x41, 0x9a)), "MTAP16");
        assertFalse(add(bytes(0x7b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x41, 0x9a)), "MTAP24");
        assertFalse(add(bytes(0x7d, 0x85, 0x00, 0x01, 0x88)), "FU-B");
        assertEquals(4, d.unsupported);
        assertFalse(add(bytes(0x78, 0x00, 0x09, 0x67, 0x42)), "STAP-A size past the end");
        assertFalse(add(bytes(0x78, 0x00, 0x00)), "STAP-A empty unit");
        assertFalse(add(bytes(0x78)), "STAP-A with nothing");
        assertFalse(add(bytes(0x60)), "type 0");
        assertFalse(add(bytes(0x7e, 0x00)), "type 30");
        assertEquals(5, d.malformed);
    }

    @Test
    void fuAOutOfOrderOrUnfinishedIsRefused() {
        byte[][] fus = fuA(IDR, 120);
        d.reset();
        assertFalse(add(fus[1]), "middle without a start");
        d.reset();
        assertTrue(add(fus[0]));
        assertFalse(add(fus[0]), "a second start inside one");
        d.reset();
        assertTrue(add(fus[0]));
        assertFalse(add(slice(true, 0, 3)), "a single NAL unit inside an FU");
        d.reset();
        assertTrue(add(fus[0]));
        assertTrue(add(fus[1]));
        assertFalse(d.finish(out), "the end fragment never came");
        d.reset();
        assertTrue(add(fus[0]));
        byte[] otherType = fuA(slice(true, 0, 300), 120)[1];
        assertFalse(add(otherType), "a continuation of another NAL type");
        assertEquals(5, d.malformed);
    }
}
