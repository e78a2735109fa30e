package org.roundtable.mixer.video;

/**
 * Reads the picture size from an H.264 sequence parameter set (ITU-T H.264 section 7.3.2.1.1): the
 * size in macroblocks, frame_mbs_only and the cropping rectangle, skipping the fields before them
 * (high-profile chroma format, bit depths and scaling lists, the picture order count fields).
 * Emulation-prevention bytes (00 00 03) are skipped while reading. Keeps no state between calls, so no
 * allocation. Thread: the owner's (the composition's thread); not thread-safe.
 */
final class H264Sps {
    private byte[] a;
    private int p, end, cur, left, zeros;
    private boolean bad;

    /**
     * @param off the NAL header's offset; end: one past the NAL unit
     * @return (width &lt;&lt; 16) | height in pixels, or -1 if the SPS is cut short or out of range
     */
    int parse(byte[] buf, int off, int end) {
        a = buf;
        p = off + 1;
        this.end = end;
        left = zeros = 0;
        bad = off >= end || (buf[off] & 0x1F) != 7;
        int profile = u(8);
        u(8);                                       // constraint flags
        u(8);                                       // level_idc
        ue();                                       // seq_parameter_set_id
        int chroma = 1;
        if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44
                || profile == 83 || profile == 86 || profile == 118 || profile == 128 || profile == 138
                || profile == 139 || profile == 134 || profile == 135) {
            chroma = ue();
            if (chroma > 3) return -1;
            if (chroma == 3 && u(1) == 1) chroma = 0;  // separate_colour_plane: ChromaArrayType 0
            ue();                                   // bit_depth_luma_minus8
            ue();                                   // bit_depth_chroma_minus8
            u(1);                                   // qpprime_y_zero_transform_bypass
            if (u(1) == 1) {                        // seq_scaling_matrix_present
                int lists = chroma != 3 ? 8 : 12;
                for (int i = 0; i < lists && !bad; i++) if (u(1) == 1) skipScalingList(i < 6 ? 16 : 64);
            }
        }
        ue();                                       // log2_max_frame_num_minus4
        int poc = ue();
        if (poc == 0) ue();                         // log2_max_pic_order_cnt_lsb_minus4
        else if (poc == 1) {
            u(1);
            se();
            se();
            int n = ue();
            if (n > 255) return -1;
            for (int i = 0; i < n && !bad; i++) se();
        }
        ue();                                       // max_num_ref_frames
        u(1);                                       // gaps_in_frame_num_value_allowed
        long mbW = ue() + 1L, mapH = ue() + 1L;
        int frameMbsOnly = u(1);
        if (frameMbsOnly == 0) u(1);                // mb_adaptive_frame_field
        u(1);                                       // direct_8x8_inference
        long cl = 0, cr = 0, ct = 0, cb = 0;
        if (u(1) == 1) { cl = ue(); cr = ue(); ct = ue(); cb = ue(); }
        if (bad) return -1;
        int cropX = chroma == 1 || chroma == 2 ? 2 : 1;
        int cropY = (chroma == 1 ? 2 : 1) * (2 - frameMbsOnly);
        long w = mbW * 16 - cropX * (cl + cr);
        long h = (2 - frameMbsOnly) * mapH * 16 - cropY * (ct + cb);
        if (w <= 0 || h <= 0 || w > 16384 || h > 16384) return -1;
        return (int) (w << 16 | h);
    }

    private void skipScalingList(int size) {
        int last = 8, next = 8;
        for (int j = 0; j < size && !bad; j++) {
            if (next != 0) next = (last + se() + 256) % 256;
            last = next == 0 ? last : next;
        }
    }

    private int bit() {
        if (left == 0) {
            if (p < end && zeros >= 2 && a[p] == 3) { p++; zeros = 0; }   // emulation prevention
            if (p >= end) { bad = true; return 0; }
            cur = a[p++] & 0xFF;
            zeros = cur == 0 ? zeros + 1 : 0;
            left = 8;
        }
        return (cur >> --left) & 1;
    }

    private int u(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) v = (v << 1) | bit();
        return v;
    }

    /** Unsigned exp-Golomb; values past 2^30 count as bad input. */
    private int ue() {
        int zerosRun = 0;
        while (bit() == 0) {
            if (bad || ++zerosRun > 30) { bad = true; return 0; }
        }
        return (1 << zerosRun) - 1 + u(zerosRun);
    }

    private int se() {
        int k = ue();
        return (k & 1) != 0 ? (k + 1) / 2 : -(k / 2);
    }
}
