package org.roundtable.bridge.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.roundtable.bridge.rtp.Rtcp;

/**
 * RTCP compound parsing ({@link Rtcp}) as the bridge walks it after SRTCP: validation, then each
 * sub-packet's type, feedback, report blocks and REMB. Sub-packets tile the compound exactly; every report
 * block lies inside its sub-packet; nothing throws.
 */
class RtcpFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void rtcp(FuzzedDataProvider data) {
        byte[] in = data.consumeRemainingAsBytes();
        byte[] a = Fuzz.embed(in);
        int off = Fuzz.OFF, len = in.length;
        Rtcp.looksLikeRtcp(a, off, len);
        if (!Rtcp.isValidCompound(a, off, len)) return;
        int p = off, end = off + len;
        while (p < end) {
            int l = Rtcp.length(a, p);
            Fuzz.check(l >= 4 && p + l <= end, "sub-packet of " + l + " at " + (p - off) + " of " + len);
            int type = Rtcp.packetType(a, p);
            Rtcp.fmt(a, p);
            if (l >= 8) Rtcp.senderSsrc(a, p);
            if (l >= 12) Rtcp.mediaSsrc(a, p);
            if (type == Rtcp.SR || type == Rtcp.RR) {
                for (int i = 0; i < 32; i++) {
                    int q = Rtcp.reportBlock(a, p, i);
                    if (q < 0) break;
                    Fuzz.check(q >= p + 8 && q + 24 <= p + l, "report block outside its packet");
                    Rtcp.blockSsrc(a, q); Rtcp.blockCumulativeLost(a, q); Rtcp.blockLsr(a, q); Rtcp.blockDlsr(a, q);
                }
                if (type == Rtcp.SR && l >= 28) { Rtcp.srNtpMiddle(a, p); Rtcp.srPackets(a, p); Rtcp.srRtpTimestamp(a, p); }
            }
            if (type == Rtcp.PSFB) Rtcp.readRemb(a, p, l);
            p += l;
        }
        Fuzz.check(p == end, "sub-packets do not tile the compound");
    }
}
