package org.roundtable.mixer.video;

/**
 * H.264 over RTP (RFC 6184), packetization modes 0 and 1, into an Annex B byte stream: a 4-byte start
 * code before each NAL unit. Single NAL unit packets (types 1-23) are copied as they are, STAP-A (24)
 * is split into its NAL units, FU-A (28) fragments are joined (start and end bits; the NAL header is
 * rebuilt from the FU indicator's F/NRI and the FU header's type). The interleaved-mode packets
 * STAP-B (25), MTAP16/24 (26, 27) and FU-B (29) are refused and counted as unsupported; types 0, 30
 * and 31 as malformed. A frame is a key frame when it holds an IDR slice (type 5); when it also holds
 * an SPS (type 7) the width and height are read from it.
 * Thread: the assembler's (the composition's thread); not thread-safe.
 */
public final class H264Depacketizer implements Depacketizer {
    private final H264Sps sps = new H264Sps();
    private boolean fuOpen, idr, any;
    private int fuType, fuStart, spsOff, spsEnd;
    private int width, height;
    /** Payloads refused as malformed: bad sizes, an FU-A out of order, a reserved type. */
    public long malformed;
    /** Payloads refused as interleaved-mode types (STAP-B, MTAP16, MTAP24, FU-B). */
    public long unsupported;

    public H264Depacketizer() { reset(); }

    @Override public VideoCodec codec() { return VideoCodec.H264; }

    @Override public void reset() {
        fuOpen = idr = any = false;
        spsOff = -1;
        width = height = 0;
    }

    /**
     * A packet can start a picture when its first NAL unit is an SEI, SPS, PPS or access unit delimiter,
     * or a slice whose first_mb_in_slice is 0 (its ue(v) code is the single bit 1); for an FU-A, the
     * start fragment of such a NAL unit.
     */
    @Override public boolean isFrameStart(byte[] b, int off, int len) {
        if (len < 1) return false;
        int t = b[off] & 0x1F;
        if (t >= 1 && t <= 23) return startsPicture(t, b, off + 1, len - 1);
        if (t == 24) {
            if (len < 4) return false;
            int size = u16(b, off + 1);
            return size > 0 && 3 + size <= len && startsPicture(b[off + 3] & 0x1F, b, off + 4, size - 1);
        }
        if (t == 28) return len >= 2 && (b[off + 1] & 0x80) != 0 && startsPicture(b[off + 1] & 0x1F, b, off + 2, len - 2);
        return false;
    }

    private static boolean startsPicture(int type, byte[] b, int body, int bodyLen) {
        if (type == 1 || type == 5) return bodyLen >= 1 && (b[body] & 0x80) != 0;
        return type >= 6 && type <= 9;
    }

    @Override public boolean append(byte[] b, int off, int len, FrameBuffer out) {
        if (len < 1) { malformed++; return false; }
        int t = b[off] & 0x1F;
        if (t >= 1 && t <= 23) {
            if (fuOpen) { malformed++; return false; }
            return nal(b, off, len, out);
        }
        switch (t) {
            case 24: return stapA(b, off, len, out);
            case 28: return fuA(b, off, len, out);
            case 25: case 26: case 27: case 29: unsupported++; return false;
            default: malformed++; return false;
        }
    }

    private boolean nal(byte[] b, int p, int n, FrameBuffer out) {
        int t = b[p] & 0x1F;
        if (!out.putStartCode()) return false;
        int at = out.length();
        if (!out.append(b, p, n)) return false;
        any = true;
        if (t == 5) idr = true;
        if (t == 7) { spsOff = at; spsEnd = out.length(); }
        return true;
    }

    private boolean stapA(byte[] b, int off, int len, FrameBuffer out) {
        int q = off + 1, end = off + len;
        if (fuOpen || q >= end) { malformed++; return false; }
        while (q < end) {
            if (q + 2 > end) { malformed++; return false; }
            int size = u16(b, q);
            q += 2;
            if (size == 0 || q + size > end) { malformed++; return false; }
            if ((b[q] & 0x1F) == 0 || (b[q] & 0x1F) > 23) { malformed++; return false; }
            if (!nal(b, q, size, out)) return false;
            q += size;
        }
        return true;
    }

    private boolean fuA(byte[] b, int off, int len, FrameBuffer out) {
        if (len < 3) { malformed++; return false; }
        int h = b[off + 1] & 0xFF;
        boolean start = (h & 0x80) != 0, end = (h & 0x40) != 0;
        int type = h & 0x1F;
        if (start) {
            if (fuOpen || type == 0 || type > 23) { malformed++; return false; }
            if (!out.putStartCode()) return false;
            fuStart = out.length();
            if (!out.put((b[off] & 0xE0) | type)) return false;
            fuType = type;
            fuOpen = true;
            any = true;
            if (type == 5) idr = true;
        } else if (!fuOpen || type != fuType) {
            malformed++;
            return false;
        }
        if (!out.append(b, off + 2, len - 2)) return false;
        if (end) {
            fuOpen = false;
            if (fuType == 7) { spsOff = fuStart; spsEnd = out.length(); }
        }
        return true;
    }

    @Override public boolean finish(FrameBuffer out) {
        if (fuOpen || !any) { malformed++; return false; }
        if (spsOff >= 0) {
            int wh = sps.parse(out.array(), spsOff, spsEnd);
            if (wh > 0) { width = wh >>> 16; height = wh & 0xFFFF; }
        }
        return true;
    }

    @Override public boolean keyframe() { return idr; }
    @Override public int width() { return width; }
    @Override public int height() { return height; }

    private static int u16(byte[] b, int p) { return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF); }
}
