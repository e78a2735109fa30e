package org.roundtable.mixer.video;

import static org.roundtable.mixer.video.Rtp.bytes;
import static org.roundtable.mixer.video.Rtp.concat;
import static org.roundtable.mixer.video.Rtp.run;

import java.util.Arrays;

/** H.264 NAL units and their RTP packetization (RFC 6184) for the tests. */
final class H264Frames {
    private H264Frames() {}

    static final byte[] START = bytes(0, 0, 0, 1);
    static final byte[] SPS = SpsWriter.baseline(40, 30, 0, 0);        // 640x480
    static final byte[] PPS = bytes(0x68, 0xce, 0x3c, 0x80);
    /** An IDR slice, first_mb_in_slice 0 (the ue(v) "1"), nal_ref_idc 3. */
    static final byte[] IDR = concat(bytes(0x65, 0x88, 0x84), run(0x10, 300));

    /** A non-IDR slice; first: whether first_mb_in_slice is 0. */
    static byte[] slice(boolean first, int fill, int n) { return concat(bytes(0x41, first ? 0x9a : 0x2a), run(fill, n)); }

    static byte[] stapA(byte[]... nals) {
        byte[] out = bytes(0x78);                                       // F=0, NRI=3, type 24
        for (byte[] n : nals) out = concat(out, bytes(n.length >> 8, n.length), n);
        return out;
    }

    /** FU-A fragments of one NAL unit, payload chunks of at most chunk bytes. */
    static byte[][] fuA(byte[] nal, int chunk) {
        int body = nal.length - 1, n = (body + chunk - 1) / chunk;
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            int from = 1 + i * chunk, to = Math.min(nal.length, from + chunk);
            int h = (i == 0 ? 0x80 : 0) | (i == n - 1 ? 0x40 : 0) | (nal[0] & 0x1F);
            out[i] = concat(bytes((nal[0] & 0xE0) | 28, h), Arrays.copyOfRange(nal, from, to));
        }
        return out;
    }

    /** NAL units in Annex B form, as the assembler emits them. */
    static byte[] annexB(byte[]... nals) {
        byte[] out = new byte[0];
        for (byte[] n : nals) out = concat(out, START, n);
        return out;
    }

    /** A key frame as RTP: STAP-A with SPS and PPS, then the IDR in FU-A fragments of 120 bytes. */
    static byte[][] keyPackets(int seq, long ts) {
        byte[][] fus = fuA(IDR, 120);
        byte[][] out = new byte[1 + fus.length][];
        out[0] = Rtp.packet(seq, ts, false, stapA(SPS, PPS));
        for (int i = 0; i < fus.length; i++) out[1 + i] = Rtp.packet((seq + 1 + i) & 0xFFFF, ts, i == fus.length - 1, fus[i]);
        return out;
    }
}
