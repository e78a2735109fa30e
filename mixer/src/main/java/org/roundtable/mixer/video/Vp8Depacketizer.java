package org.roundtable.mixer.video;

/**
 * VP8 over RTP (RFC 7741): strips each packet's payload descriptor and concatenates the VP8 data.
 * <pre>
 *   X R N S R PID(3)     S: start of a partition, PID: partition index (frame start: S=1, PID=0)
 *   I L T K RSV(4)       if X
 *   M PictureID(7|15)    if I (M=1: 15 bits)
 *   TL0PICIDX            if L
 *   TID(2) Y KEYIDX(5)   if T or K
 * </pre>
 * A frame must begin with S=1, PID=0; it is a key frame when the P bit (bit 0 of the first byte of the
 * VP8 payload header) is 0, and a key frame must carry the start code 9d 01 2a, after which come the
 * 14-bit width and height (little-endian, the top two bits are the scale).
 * Thread: the assembler's (the composition's thread); not thread-safe.
 */
public final class Vp8Depacketizer implements Depacketizer {
    private boolean first = true, key;
    private int width, height;
    private int pictureId = -1, tl0PicIdx = -1, temporalId = -1;
    /** Payloads refused: a descriptor that does not fit, no VP8 data, or a frame not starting at S=1 PID=0. */
    public long malformed;

    @Override public VideoCodec codec() { return VideoCodec.VP8; }

    @Override public void reset() {
        first = true;
        key = false;
        width = height = 0;
        pictureId = tl0PicIdx = temporalId = -1;
    }

    /**
     * The descriptor's length in bytes, or -1 if it does not fit in len with at least one byte of VP8
     * data after it.
     */
    public static int descriptorLength(byte[] b, int off, int len) {
        if (len < 1) return -1;
        int q = 1;
        if ((b[off] & 0x80) != 0) {               // X
            if (q >= len) return -1;
            int x = b[off + q++] & 0xFF;
            if ((x & 0x80) != 0) {                // I
                if (q >= len) return -1;
                q += (b[off + q] & 0x80) != 0 ? 2 : 1;
            }
            if ((x & 0x40) != 0) q++;             // L
            if ((x & 0x30) != 0) q++;             // T or K
        }
        return q < len ? q : -1;
    }

    @Override public boolean isFrameStart(byte[] b, int off, int len) {
        return len >= 1 && (b[off] & 0x17) == 0x10 && descriptorLength(b, off, len) > 0;
    }

    @Override public boolean append(byte[] b, int off, int len, FrameBuffer out) {
        int dl = descriptorLength(b, off, len);
        if (dl < 0) { malformed++; return false; }
        if (first) {
            if ((b[off] & 0x17) != 0x10) { malformed++; return false; }
            first = false;
            key = (b[off + dl] & 0x01) == 0;
            readExtension(b, off);
        }
        return out.append(b, off + dl, len - dl);
    }

    private void readExtension(byte[] b, int off) {
        if ((b[off] & 0x80) == 0) return;
        int x = b[off + 1] & 0xFF;
        int q = off + 2;
        if ((x & 0x80) != 0) {
            if ((b[q] & 0x80) != 0) { pictureId = ((b[q] & 0x7F) << 8) | (b[q + 1] & 0xFF); q += 2; }
            else pictureId = b[q++] & 0x7F;
        }
        if ((x & 0x40) != 0) tl0PicIdx = b[q++] & 0xFF;
        if ((x & 0x20) != 0) temporalId = (b[q] & 0xFF) >> 6;
    }

    @Override public boolean finish(FrameBuffer out) {
        if (first) return false;
        if (!key) return true;
        byte[] a = out.array();
        if (out.length() < 10 || (a[3] & 0xFF) != 0x9d || (a[4] & 0xFF) != 0x01 || (a[5] & 0xFF) != 0x2a) {
            malformed++;
            return false;
        }
        width = ((a[6] & 0xFF) | (a[7] & 0xFF) << 8) & 0x3FFF;
        height = ((a[8] & 0xFF) | (a[9] & 0xFF) << 8) & 0x3FFF;
        return true;
    }

    @Override public boolean keyframe() { return key; }
    @Override public int width() { return width; }
    @Override public int height() { return height; }
    /** The current frame's PictureID (7 or 15 bits), or -1 if its first packet had none. */
    public int pictureId() { return pictureId; }
    /** The current frame's TL0PICIDX, or -1. */
    public int tl0PicIdx() { return tl0PicIdx; }
    /** The current frame's temporal layer (TID), or -1. */
    public int temporalId() { return temporalId; }
}
