package org.roundtable.bridge.rtp;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RtcpTest {
    @Test void buildsAndValidatesCompound() {
        byte[] b = new byte[200];
        int p = Rtcp.writeRrHeader(b, 0, 0x11111111, 1);
        p += Rtcp.writeReportBlock(b, p, 0x22222222, 12, 345, 70000, 9, 0xABCD, 0x10000);
        int remb = p;
        p += Rtcp.writeRemb(b, p, 0x11111111, 2_500_000, new int[] {0x22222222}, 1);
        int pli = p;
        p += Rtcp.writePli(b, p, 0x11111111, 0x33333333);
        assertTrue(Rtcp.looksLikeRtcp(b, 0, p));
        assertTrue(Rtcp.isValidCompound(b, 0, p));
        assertEquals(Rtcp.RR, Rtcp.packetType(b, 0));
        assertEquals(32, Rtcp.length(b, 0));
        assertEquals(0x22222222, RtpPacket.i32(b, 8));
        assertEquals(12, b[12]);
        assertEquals(345, ((b[13] & 0xFF) << 16) | ((b[14] & 0xFF) << 8) | (b[15] & 0xFF));
        long bitrate = Rtcp.readRemb(b, remb, Rtcp.length(b, remb));
        assertTrue(Math.abs(bitrate - 2_500_000) < 2_500_000 / 1000, "REMB mantissa/exponent round trip: " + bitrate);
        assertEquals(Rtcp.PSFB, Rtcp.packetType(b, pli));
        assertEquals(Rtcp.FMT_PLI, Rtcp.fmt(b, pli));
        assertEquals(0x33333333, Rtcp.mediaSsrc(b, pli));
        assertFalse(Rtcp.isValidCompound(b, 0, p - 1), "length must add up exactly");
        assertFalse(Rtcp.isValidCompound(b, 0, p + 3));
    }

    @Test void senderReport() {
        byte[] b = new byte[28];
        long ntp = Rtcp.ntpFromMillis(1_000_500);
        assertEquals(28, Rtcp.writeSr(b, 0, 7, ntp, 0xFFFFFFFFL, 10, 2000));
        assertEquals(Rtcp.SR, Rtcp.packetType(b, 0));
        assertEquals(7, Rtcp.senderSsrc(b, 0));
        assertEquals((ntp >>> 32), RtpPacket.u32(b, 8));
        assertEquals(1000 + 2208988800L, ntp >>> 32);
        assertEquals(0x80000000L, ntp & 0xFFFFFFFFL, "half a second");
        assertTrue(Rtcp.isValidCompound(b, 0, 28));
    }

    @Test void rejectsGarbage() {
        assertFalse(Rtcp.looksLikeRtcp(new byte[] {(byte) 0x80, 96, 0, 0, 0, 0, 0, 0}, 0, 8), "RTP PT 96 is not RTCP");
        assertFalse(Rtcp.isValidCompound(new byte[] {(byte) 0x80, (byte) 201, (byte) 0xFF, (byte) 0xFF}, 0, 4));
        assertFalse(Rtcp.isValidCompound(new byte[] {0x40, (byte) 201, 0, 0}, 0, 4), "version 1");
    }
}
