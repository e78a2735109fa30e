package org.roundtable.mixer.video;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.mixer.video.Rtp.bytes;

import org.junit.jupiter.api.Test;

/** The RFC 7741 payload descriptor, stripped; key frame flag and size from the VP8 frame header. */
class Vp8DepacketizerTest {
    static int dl(int... b) { return Vp8Depacketizer.descriptorLength(bytes(b), 0, b.length); }

    @Test
    void descriptorLengths() {
        assertEquals(1, dl(0x10, 0xAA));                              // no X
        assertEquals(2, dl(0x90, 0x00, 0xAA));                        // X, no fields
        assertEquals(3, dl(0x90, 0x80, 0x7F, 0xAA));                  // I, 7-bit PictureID
        assertEquals(4, dl(0x90, 0x80, 0x81, 0x23, 0xAA));            // I, 15-bit PictureID
        assertEquals(6, dl(0x90, 0xE0, 0x81, 0x23, 0x05, 0x40, 0xAA)); // I15, L, T
        assertEquals(3, dl(0x90, 0x10, 0x05, 0xAA));                  // K alone takes the TID/KEYIDX byte
        assertEquals(4, dl(0x90, 0x60, 0x05, 0x40, 0xAA));            // L, T
        assertEquals(-1, dl(0x90, 0x80, 0x81, 0x23));                 // no VP8 data after it
        assertEquals(-1, dl(0x90, 0x80, 0x81));                       // PictureID cut short
        assertEquals(-1, dl(0x90));
        assertEquals(-1, dl());
    }

    @Test
    void frameStartIsSWithPartitionZero() {
        Vp8Depacketizer d = new Vp8Depacketizer();
        assertTrue(d.isFrameStart(bytes(0x10, 0x00), 0, 2));
        assertTrue(d.isFrameStart(bytes(0x90, 0x80, 0x81, 0x23, 0x00), 0, 5));
        assertFalse(d.isFrameStart(bytes(0x00, 0x00), 0, 2), "S=0");
        assertFalse(d.isFrameStart(bytes(0x11, 0x00), 0, 2), "PID=1");
        assertFalse(d.isFrameStart(bytes(0x90, 0x80), 0, 2), "cut short");
    }

    @Test
    void keyFrameOverTwoPayloadsWithFifteenBitPictureId() {
        Vp8Depacketizer d = new Vp8Depacketizer();
        FrameBuffer out = new FrameBuffer(8, 1 << 16);
        byte[] key = Rtp.vp8Key(1280, 720, 6);
        byte[] p1 = Rtp.concat(Rtp.vp8Descriptor(true, 0x1234, 7, 2), java.util.Arrays.copyOfRange(key, 0, 9));
        byte[] p2 = Rtp.concat(Rtp.vp8Descriptor(false, 0x1234, 7, 2), java.util.Arrays.copyOfRange(key, 9, key.length));
        d.reset();
        assertTrue(d.append(p1, 0, p1.length, out));
        assertTrue(d.append(p2, 0, p2.length, out));
        assertTrue(d.finish(out));
        assertArrayEquals(key, java.util.Arrays.copyOf(out.array(), out.length()));
        assertTrue(d.keyframe());
        assertEquals(1280, d.width());
        assertEquals(720, d.height());
        assertEquals(0x1234, d.pictureId());
        assertEquals(7, d.tl0PicIdx());
        assertEquals(2, d.temporalId());

        out.reset();
        d.reset();
        byte[] delta = Rtp.concat(bytes(0x90, 0x80, 0x05), Rtp.vp8Delta(1, 4));
        assertTrue(d.append(delta, 0, delta.length, out));
        assertTrue(d.finish(out));
        assertFalse(d.keyframe());
        assertEquals(0, d.width());
        assertEquals(5, d.pictureId(), "7-bit PictureID");
        assertArrayEquals(Rtp.vp8Delta(1, 4), java.util.Arrays.copyOf(out.array(), out.length()));
    }

    @Test
    void refusesAFrameNotStartingAtPartitionZeroAndAKeyFrameWithoutStartCode() {
        Vp8Depacketizer d = new Vp8Depacketizer();
        FrameBuffer out = new FrameBuffer();
        d.reset();
        assertFalse(d.append(bytes(0x00, 0x31, 0x01), 0, 3, out), "S=0 first");
        d.reset();
        assertFalse(d.append(bytes(0x12, 0x31, 0x01), 0, 3, out), "PID=2 first");
        d.reset();
        byte[] bad = bytes(0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2b, 0x80, 0x02, 0xe0, 0x01);
        assertTrue(d.append(bad, 0, bad.length, out));
        assertFalse(d.finish(out), "key frame with a wrong start code");
        assertEquals(3, d.malformed);
    }
}
