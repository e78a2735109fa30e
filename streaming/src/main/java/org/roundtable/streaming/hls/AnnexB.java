package org.roundtable.streaming.hls;

/**
 * H.264 byte-stream helpers for the fMP4 muxer: turns an Annex B access unit (start codes) into the
 * 4-byte length-prefixed NAL units of an MP4 sample, leaving out access unit delimiters, SPS and PPS
 * (the init segment's avcC carries the parameter sets), and reads what avcC needs from an SPS.
 * Pure functions; any thread.
 */
final class AnnexB {
    static final int NAL_SPS = 7, NAL_PPS = 8, NAL_AUD = 9;

    private AnnexB() {}

    /**
     * The access unit as an MP4 sample (each kept NAL as a 4-byte big-endian length and its bytes), or an
     * empty array when it holds no NAL worth keeping (or no start code at all).
     */
    static byte[] toLengthPrefixed(byte[] au) {
        int n = au.length;
        // First pass: the size of the result, so that we copy once.
        int size = 0;
        for (int s = nextStart(au, 0); s >= 0; ) {
            int next = nextStart(au, s);
            int end = trimEnd(au, s, next < 0 ? n : next - 3);
            if (keep(au, s, end)) size += 4 + end - s;
            s = next;
        }
        byte[] out = new byte[size];
        int o = 0;
        for (int s = nextStart(au, 0); s >= 0; ) {
            int next = nextStart(au, s);
            int end = trimEnd(au, s, next < 0 ? n : next - 3);
            if (keep(au, s, end)) {
                int len = end - s;
                out[o] = (byte) (len >>> 24);
                out[o + 1] = (byte) (len >>> 16);
                out[o + 2] = (byte) (len >>> 8);
                out[o + 3] = (byte) len;
                System.arraycopy(au, s, out, o + 4, len);
                o += 4 + len;
            }
            s = next;
        }
        return out;
    }

    /** The index of the first NAL byte after the next 00 00 01 at or after from, or -1. */
    static int nextStart(byte[] b, int from) {
        for (int i = from; i + 2 < b.length; i++) {
            if ((b[i + 2] & 0xff) > 1) { i += 2; continue; }  // no start code can end at i + 2 or begin at i + 1, i + 2
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) return i + 3;
        }
        return -1;
    }

    /** Drops trailing zero bytes (trailing_zero_8bits, or the leading zero of a 4-byte start code). */
    private static int trimEnd(byte[] b, int start, int end) {
        while (end > start && b[end - 1] == 0) end--;
        return end;
    }

    private static boolean keep(byte[] b, int start, int end) {
        if (end <= start) return false;
        int type = b[start] & 0x1f;
        return type != NAL_AUD && type != NAL_SPS && type != NAL_PPS;
    }

    /**
     * For the High profiles (100 and up), the avcC extension bytes ISO/IEC 14496-15 asks for:
     * {chroma_format_idc, bit_depth_luma_minus8, bit_depth_chroma_minus8}; null for other profiles or an
     * SPS too short to read.
     */
    static int[] highProfileFormat(byte[] sps) {
        int profile = sps[1] & 0xff;
        if (profile != 100 && profile != 110 && profile != 122 && profile != 244 && profile != 44
                && profile != 83 && profile != 86 && profile != 118 && profile != 128 && profile != 138
                && profile != 139 && profile != 134 && profile != 135) return null;
        try {
            BitReader r = new BitReader(unescape(sps), 4 * 8);   // NAL header, profile, constraints, level
            r.ue();                                              // seq_parameter_set_id
            int chroma = r.ue();
            if (chroma == 3) r.bit();                            // separate_colour_plane_flag
            int luma = r.ue(), chromaDepth = r.ue();
            if (chroma > 3 || luma > 6 || chromaDepth > 6) return null;
            return new int[] {chroma, luma, chromaDepth};
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** Removes emulation prevention bytes (00 00 03 -> 00 00). */
    static byte[] unescape(byte[] nal) {
        byte[] out = new byte[nal.length];
        int o = 0, zeros = 0;
        for (byte b : nal) {
            if (zeros >= 2 && b == 3) { zeros = 0; continue; }
            zeros = b == 0 ? zeros + 1 : 0;
            out[o++] = b;
        }
        return java.util.Arrays.copyOf(out, o);
    }

    /** Reads bits and exp-Golomb codes, most significant bit first. */
    private static final class BitReader {
        private final byte[] b;
        private int pos;

        BitReader(byte[] b, int bitPos) { this.b = b; this.pos = bitPos; }

        int bit() {
            int v = (b[pos >>> 3] >> (7 - (pos & 7))) & 1;
            pos++;
            return v;
        }

        int ue() {
            int zeros = 0;
            while (bit() == 0) if (++zeros > 31) throw new IndexOutOfBoundsException("bad exp-Golomb code");
            int v = 0;
            for (int i = 0; i < zeros; i++) v = (v << 1) | bit();
            return (1 << zeros) - 1 + v;
        }
    }
}
