package org.roundtable.mixer.video;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Picture size from an SPS: macroblocks, field coding, cropping; fields before them skipped. */
class H264SpsTest {
    static int parse(byte[] nal) { return new H264Sps().parse(nal, 0, nal.length); }
    static String size(byte[] nal) { int wh = parse(nal); return wh < 0 ? "bad" : (wh >>> 16) + "x" + (wh & 0xFFFF); }

    @Test
    void baselineSizes() {
        assertEquals("640x480", size(SpsWriter.baseline(40, 30, 0, 0)));
        assertEquals("1280x720", size(SpsWriter.baseline(80, 45, 0, 0)));
        assertEquals("1920x1080", size(SpsWriter.baseline(120, 68, 0, 4)));
        assertEquals("318x180", size(SpsWriter.baseline(20, 12, 1, 6)), "crop units are 2 pixels in 4:2:0");
    }

    @Test
    void highProfileWithScalingListsPocType1AndInterlace() {
        byte[] nal = new SpsWriter().u(8, 100).u(8, 0).u(8, 40).ue(0)
                .ue(1).ue(0).ue(0).u(1, 0)            // chroma 4:2:0, 8-bit, no bypass
                .u(1, 1)                              // scaling matrix present
                .u(1, 1).se(8).se(0).se(0).se(0).se(0).se(0).se(0).se(0)
                .se(0).se(0).se(0).se(0).se(0).se(0).se(0).se(0)  // list 0: 16 deltas
                .u(1, 1).se(-8)                       // list 1: "use the default" after one delta
                .u(1, 0).u(1, 0).u(1, 0).u(1, 0).u(1, 0).u(1, 0)
                .ue(0).ue(1)                          // frame num; POC type 1
                .u(1, 0).se(-3).se(2).ue(2).se(5).se(-7)
                .ue(4).u(1, 0)
                .ue(119).ue(33)                       // 120 x 34 map units
                .u(1, 0).u(1, 1)                      // field coding: frame_mbs_only 0, MBAFF
                .u(1, 1)
                .u(1, 1).ue(0).ue(0).ue(0).ue(2)      // crop 2 units of 4 rows at the bottom
                .u(1, 0).nal();
        assertEquals("1920x1080", size(nal));
    }

    @Test
    void chroma444AndMonochromeCropUnits() {
        byte[] c444 = new SpsWriter().u(8, 244).u(8, 0).u(8, 40).ue(0)
                .ue(3).u(1, 0).ue(0).ue(0).u(1, 0).u(1, 0)
                .ue(0).ue(2).ue(1).u(1, 0).ue(9).ue(9).u(1, 1).u(1, 1)
                .u(1, 1).ue(1).ue(2).ue(3).ue(4).u(1, 0).nal();
        assertEquals("157x153", size(c444), "4:4:4: 1-pixel crop units");
        byte[] mono = new SpsWriter().u(8, 100).u(8, 0).u(8, 40).ue(0)
                .ue(0).ue(0).ue(0).u(1, 0).u(1, 0)
                .ue(0).ue(2).ue(1).u(1, 0).ue(9).ue(9).u(1, 1).u(1, 1)
                .u(1, 1).ue(1).ue(2).ue(3).ue(4).u(1, 0).nal();
        assertEquals("157x153", size(mono));
    }

    @Test
    void emulationPreventionBytesAreSkipped() {
        // level_idc 0 and constraint flags 0 make 00 00; an sps_id of 63 starts the next byte with 0000 0010
        byte[] nal = new SpsWriter().u(8, 66).u(8, 0).u(8, 0).ue(63)
                .ue(0).ue(2).ue(1).u(1, 0).ue(39).ue(29).u(1, 1).u(1, 1).u(1, 0).u(1, 0).nal();
        assertEquals(3, nal[4], "the writer escaped 00 00 02");
        assertEquals("640x480", size(nal));
    }

    @Test
    void realX264Sps() {
        // x264, High 3.1, 1280x720 (the VUI after the cropping flag is not read)
        byte[] nal = Rtp.bytes(0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x10,
                0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x83, 0x19, 0x60);
        assertEquals("1280x720", size(nal));
    }

    @Test
    void truncatedOrWrongNalIsRefused() {
        byte[] ok = SpsWriter.baseline(40, 30, 0, 0);
        assertEquals(-1, parse(java.util.Arrays.copyOf(ok, 5)));
        byte[] pps = ok.clone();
        pps[0] = 0x68;
        assertEquals(-1, parse(pps));
        assertEquals(-1, new H264Sps().parse(ok, 0, 0));
        byte[] zeros = new byte[40];
        zeros[0] = 0x67;
        assertEquals(-1, parse(zeros), "an exp-Golomb code longer than 31 bits");
    }
}
