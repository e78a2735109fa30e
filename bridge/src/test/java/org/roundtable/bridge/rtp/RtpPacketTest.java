package org.roundtable.bridge.rtp;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RtpPacketTest {
    /** V=2, X=1, CC=1, M=1, PT=96, seq 0x1234, ts 0xDEADBEEF, ssrc 0x01020304, one CSRC, a one-byte extension. */
    static byte[] packet() {
        return new byte[] {
            (byte) 0x91, (byte) 0xE0, 0x12, 0x34, (byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF, 1, 2, 3, 4,
            9, 9, 9, 9,                                  // CSRC
            (byte) 0xBE, (byte) 0xDE, 0, 1,               // one-byte extension header, 1 word
            0x30, (byte) 0x80, 0, 0,                      // id 3, len 1: 0x80; padding
            (byte) 0xAA, (byte) 0xBB, (byte) 0xCC         // payload
        };
    }

    @Test void parsesHeaderFields() {
        byte[] p = packet();
        assertTrue(RtpPacket.isValid(p, 0, p.length));
        assertEquals(24, RtpPacket.headerLength(p, 0, p.length));
        assertEquals(3, RtpPacket.payloadLength(p, 0, p.length));
        assertTrue(RtpPacket.marker(p, 0));
        assertEquals(96, RtpPacket.payloadType(p, 0));
        assertEquals(0x1234, RtpPacket.sequence(p, 0));
        assertEquals(0xDEADBEEFL, RtpPacket.timestamp(p, 0));
        assertEquals(0x01020304, RtpPacket.ssrc(p, 0));
        int e = RtpPacket.findOneByteExtension(p, 0, p.length, 3);
        assertEquals(21, e);
        assertEquals((byte) 0x80, p[e]);
        assertEquals(-1, RtpPacket.findOneByteExtension(p, 0, p.length, 4));
    }

    @Test void rewritesInPlaceKeepingMarker() {
        byte[] p = packet();
        RtpPacket.setPayloadType(p, 0, 111);
        RtpPacket.setSequence(p, 0, 0xFFFF);
        RtpPacket.setTimestamp(p, 0, 0x100000000L + 5);
        RtpPacket.setSsrc(p, 0, 0xCAFEBABE);
        assertEquals(111, RtpPacket.payloadType(p, 0));
        assertTrue(RtpPacket.marker(p, 0));
        assertEquals(0xFFFF, RtpPacket.sequence(p, 0));
        assertEquals(5, RtpPacket.timestamp(p, 0));
        assertEquals(0xCAFEBABE, RtpPacket.ssrc(p, 0));
    }

    @Test void rejectsMalformed() {
        byte[] p = packet();
        assertFalse(RtpPacket.isValid(p, 0, 11), "shorter than the fixed header");
        byte[] v1 = p.clone(); v1[0] = 0x51;
        assertFalse(RtpPacket.isValid(v1, 0, v1.length), "version 1");
        byte[] ext = p.clone(); ext[19] = 100;           // extension length runs past the end
        assertFalse(RtpPacket.isValid(ext, 0, ext.length));
        assertEquals(-1, RtpPacket.headerLength(ext, 0, ext.length));
        byte[] cc = p.clone(); cc[0] = (byte) 0x8F;      // 15 CSRCs do not fit
        assertFalse(RtpPacket.isValid(cc, 0, cc.length));
        byte[] pad = p.clone(); pad[0] |= 0x20; pad[pad.length - 1] = 50; // padding longer than the payload
        assertFalse(RtpPacket.isValid(pad, 0, pad.length));
        pad[pad.length - 1] = 0;                          // zero padding count is invalid
        assertFalse(RtpPacket.isValid(pad, 0, pad.length));
    }

    @Test void sequenceComparisonWraps() {
        assertTrue(RtpPacket.seqNewer(1, 0xFFFF));
        assertFalse(RtpPacket.seqNewer(0xFFFF, 1));
        assertFalse(RtpPacket.seqNewer(7, 7));
    }
}
