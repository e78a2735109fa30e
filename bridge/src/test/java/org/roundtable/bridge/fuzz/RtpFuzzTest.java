package org.roundtable.bridge.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.roundtable.bridge.rtp.Keyframes;
import org.roundtable.bridge.rtp.RtpPacket;

/**
 * RTP header parsing ({@link RtpPacket}) and key-frame detection ({@link Keyframes}) on any bytes, used as
 * the bridge uses them: header length only from 12 bytes on, the rest only for packets it found valid.
 * Every offset they return lies inside the packet; nothing throws.
 */
class RtpFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void rtp(FuzzedDataProvider data) {
        byte[] in = data.consumeRemainingAsBytes();
        byte[] a = Fuzz.embed(in);
        int off = Fuzz.OFF, len = in.length;
        boolean valid = RtpPacket.isValid(a, off, len);
        if (len < RtpPacket.FIXED_HEADER) { Fuzz.check(!valid, "valid below 12 bytes"); return; }
        int hl = RtpPacket.headerLength(a, off, len);
        Fuzz.check(hl == -1 || (hl >= RtpPacket.FIXED_HEADER && hl <= len), "header length " + hl + " of " + len);
        if (hl < 0) { Fuzz.check(!valid, "valid without a header"); return; }
        for (int id = 1; id <= 15; id++) {
            int p = RtpPacket.findOneByteExtension(a, off, len, id);
            if (p < 0) continue;
            int l = (a[p - 1] & 0x0F) + 1;
            Fuzz.check(p > off + RtpPacket.FIXED_HEADER && p + l <= off + hl, "extension " + id + " at " + p + "+" + l + " outside the header");
        }
        if (!valid) return;
        int pl = RtpPacket.payloadLength(a, off, len);
        Fuzz.check(pl >= 0 && hl + pl <= len, "payload length " + pl);
        RtpPacket.sequence(a, off);
        RtpPacket.timestamp(a, off);
        for (Keyframes.Codec c : Keyframes.Codec.values()) Keyframes.isKeyframe(c, a, off + hl, pl);
    }
}
