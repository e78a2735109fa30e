package org.roundtable.mixer.video;

import java.io.ByteArrayOutputStream;

/** Writes H.264 SPS NAL units bit by bit (exp-Golomb), with emulation prevention, for the tests. */
final class SpsWriter {
    private final ByteArrayOutputStream rbsp = new ByteArrayOutputStream();
    private int cur, bits;

    SpsWriter u(int n, long v) {
        for (int i = n - 1; i >= 0; i--) {
            cur = (cur << 1) | (int) ((v >> i) & 1);
            if (++bits == 8) { rbsp.write(cur); cur = 0; bits = 0; }
        }
        return this;
    }

    SpsWriter ue(long v) {
        long x = v + 1;
        int len = 64 - Long.numberOfLeadingZeros(x);
        u(len - 1, 0);
        return u(len, x);
    }

    SpsWriter se(long v) { return ue(v > 0 ? 2 * v - 1 : -2 * v); }

    /** The NAL unit: header 0x67, the RBSP with its stop bit, 00 00 0x escaped as 00 00 03 0x. */
    byte[] nal() {
        u(1, 1);
        while (bits != 0) u(1, 0);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x67);
        int zeros = 0;
        for (byte b : rbsp.toByteArray()) {
            if (zeros >= 2 && (b & 0xFF) <= 3) { o.write(3); zeros = 0; }
            o.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return o.toByteArray();
    }

    /** Constrained baseline, 4:2:0 progressive, picture order count type 2. */
    static byte[] baseline(int mbW, int mbH, int cropRight, int cropBottom) {
        SpsWriter w = new SpsWriter().u(8, 66).u(8, 0xC0).u(8, 31).ue(0)
                .ue(0).ue(2).ue(1).u(1, 0).ue(mbW - 1).ue(mbH - 1).u(1, 1).u(1, 1);
        if (cropRight == 0 && cropBottom == 0) w.u(1, 0);
        else w.u(1, 1).ue(0).ue(cropRight).ue(0).ue(cropBottom);
        return w.u(1, 0).nal();
    }
}
