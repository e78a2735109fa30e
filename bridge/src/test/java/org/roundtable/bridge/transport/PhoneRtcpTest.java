package org.roundtable.bridge.transport;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.rtp.Rtcp;

/** A phone leg's RTCP: our reports about the phone's stream (loss, jitter, LSR/DLSR) and reading the phone's, safely. */
class PhoneRtcpTest {
    static final int OURS = 0x0A0B0C0D, PHONE = 0x11223344;

    @Test
    void reportsLossAndEchoesThePhonesSr() {
        PhoneRtcp r = new PhoneRtcp();
        byte[] b = new byte[512];
        int n = r.build(b, 0, OURS, false, 0, 0, 0, 0, 1000, "rt@127.0.0.1");
        assertTrue(Rtcp.isValidCompound(b, 0, n));
        assertEquals(Rtcp.RR, Rtcp.packetType(b, 0));
        assertEquals(0, Rtcp.reportCount(b, 0), "nothing received yet: no block");
        assertEquals(Rtcp.SDES, Rtcp.packetType(b, 8));
        // 10 packets with seq 65530..65535, 0..4 minus one lost (65533), 20 ms apart
        long now = 10_000;
        for (int i = 0; i < 11; i++) {
            int seq = (65530 + i) & 0xFFFF;
            if (seq != 65533) r.onRtp(PHONE, seq, 160L * i, now + 20L * i, 8000);
        }
        // the phone's SR
        byte[] sr = new byte[64];
        long ntp = Rtcp.ntpFromMillis(1_700_000_000_000L);
        int sl = Rtcp.writeSr(sr, 0, PHONE, ntp, 1, 10, 1600, 0);
        List<Integer> types = new ArrayList<>();
        assertTrue(r.onRtcp(sr, 0, sl, OURS, 11_000, 0, types::add));
        assertEquals(List.of(Rtcp.SR), types);
        n = r.build(b, 0, OURS, true, Rtcp.ntpFromMillis(System.currentTimeMillis()), 1234, 50, 8000, 11_500, "rt@127.0.0.1");
        assertTrue(Rtcp.isValidCompound(b, 0, n));
        assertEquals(Rtcp.SR, Rtcp.packetType(b, 0));
        assertEquals(OURS, Rtcp.senderSsrc(b, 0));
        assertEquals(50, Rtcp.srPackets(b, 0));
        int q = Rtcp.reportBlock(b, 0, 0);
        assertEquals(PHONE, Rtcp.blockSsrc(b, q));
        assertEquals(1, Rtcp.blockCumulativeLost(b, q));
        assertEquals(256 / 11, Rtcp.blockFractionLost(b, q), "1 of 11 lost");
        assertEquals(0x10000L + 4, Rtcp.blockHighestSeq(b, q), "one wrap");
        assertEquals(Rtcp.ntpMiddle(ntp), Rtcp.blockLsr(b, q));
        assertEquals(65536 / 2, Rtcp.blockDlsr(b, q), "500 ms since its SR");
        assertEquals(0, Rtcp.blockJitter(b, q), "evenly paced");
        // the next interval: nothing new, nothing lost
        n = r.build(b, 0, OURS, false, 0, 0, 0, 0, 16_000, "rt@127.0.0.1");
        assertEquals(0, Rtcp.blockFractionLost(b, Rtcp.reportBlock(b, 0, 0)));
    }

    @Test
    void readsTheRoundTripFromTheBlockAboutUs() {
        PhoneRtcp r = new PhoneRtcp();
        byte[] rr = new byte[64];
        int n = Rtcp.writeRrHeader(rr, 0, PHONE, 2);
        n += Rtcp.writeReportBlock(rr, n, 0x999, 9, 9, 9, 9, 9, 9);          // about someone else
        long lsr = 0x12340000L, dlsr = 65536;                                 // 1 s held
        n += Rtcp.writeReportBlock(rr, n, OURS, 64, 3, 777, 40, lsr, dlsr);
        assertTrue(r.onRtcp(rr, 0, n, OURS, 0, lsr + dlsr + 65536 / 10, t -> { }));
        assertEquals(OURS, r.reportedSsrc);
        assertEquals(64, r.reportedFractionLost);
        assertEquals(3, r.reportedCumulativeLost);
        assertEquals(40, r.reportedJitter);
        assertEquals(777, r.reportedHighestSeq);
        assertEquals(99, r.rttMs, 1, "100 ms round trip");
        assertEquals(PHONE, r.remoteRtcpSsrc);
    }

    @Test
    void badCompoundsAreRefusedWhole() {
        PhoneRtcp r = new PhoneRtcp();
        List<Integer> types = new ArrayList<>();
        assertFalse(r.onRtcp(new byte[] {(byte) 0x80, (byte) 201, 0, 9, 1, 2, 3, 4}, 0, 8, OURS, 0, 0, types::add), "length beyond the packet");
        assertFalse(r.onRtcp(new byte[] {0x40, (byte) 201, 0, 1, 1, 2, 3, 4}, 0, 8, OURS, 0, 0, types::add), "version 1");
        byte[] rc = new byte[8];
        Rtcp.writeRrHeader(rc, 0, PHONE, 0);
        rc[0] = (byte) 0x85;                                                 // says 5 blocks, has none
        assertTrue(r.onRtcp(rc, 0, 8, OURS, 0, 0, types::add), "a valid compound whose RR lies about its count");
        assertEquals(-1, r.reportedFractionLost, "no block read beyond the packet");
        assertEquals(List.of(Rtcp.RR), types);
    }
}
