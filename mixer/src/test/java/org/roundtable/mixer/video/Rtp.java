package org.roundtable.mixer.video;

import java.io.ByteArrayOutputStream;

/** Hand-built RTP packets and payloads for the video tests. */
final class Rtp {
    private Rtp() {}

    static final int SSRC = 0x11223344;

    /** A plain packet: 12-byte header, no CSRC, extension or padding. */
    static byte[] packet(int seq, long ts, boolean marker, byte[] payload) {
        return packet(seq, ts, marker, payload, 0, 0, 0);
    }

    /**
     * @param csrcs CSRC count; extWords: 0 for none, else a 0xBEDE extension of that many words;
     *     pad: padding bytes (0 for none), the last of which holds the count
     */
    static byte[] packet(int seq, long ts, boolean marker, byte[] payload, int csrcs, int extWords, int pad) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x80 | (pad > 0 ? 0x20 : 0) | (extWords > 0 ? 0x10 : 0) | csrcs);
        o.write((marker ? 0x80 : 0) | 96);
        o.write(seq >> 8); o.write(seq);
        o.write((int) (ts >> 24)); o.write((int) (ts >> 16)); o.write((int) (ts >> 8)); o.write((int) ts);
        o.write(SSRC >> 24); o.write(SSRC >> 16); o.write(SSRC >> 8); o.write(SSRC);
        for (int i = 0; i < csrcs; i++) { o.write(0xCC); o.write(0xCC); o.write(0xCC); o.write(i); }
        if (extWords > 0) {
            o.write(0xBE); o.write(0xDE); o.write(extWords >> 8); o.write(extWords);
            for (int i = 0; i < 4 * extWords; i++) o.write(0xEE);
        }
        o.writeBytes(payload);
        for (int i = 1; i < pad; i++) o.write(0);
        if (pad > 0) o.write(pad);
        return o.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    /** n bytes counting up from first (mod 256). */
    static byte[] run(int first, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (first + i);
        return b;
    }

    /** The RFC 7741 descriptor used by most tests: X, I with a 15-bit PictureID, L, T. */
    static byte[] vp8Descriptor(boolean start, int pictureId, int tl0, int tid) {
        return bytes(0x80 | (start ? 0x10 : 0), 0x80 | 0x40 | 0x20, 0x80 | (pictureId >> 8), pictureId & 0xFF, tl0, tid << 6);
    }

    /** A VP8 key frame: frame tag (P=0, show), start code, size (with scale bits set), then body bytes. */
    static byte[] vp8Key(int width, int height, int bodyLen) {
        return concat(bytes(0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a,
                width & 0xFF, 0x40 | (width >> 8), height & 0xFF, 0x80 | (height >> 8)), run(0x40, bodyLen));
    }

    /** A VP8 inter frame: frame tag with P=1, then body bytes. */
    static byte[] vp8Delta(int first, int bodyLen) { return concat(bytes(0x31, 0x01, 0x00), run(first, bodyLen)); }

    /** Splits a VP8 frame into packets of at most chunk bytes, each with the descriptor. */
    static byte[][] vp8Packets(int seq, long ts, byte[] frame, int chunk, int pictureId) {
        int n = (frame.length + chunk - 1) / chunk;
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            int from = i * chunk, to = Math.min(frame.length, from + chunk);
            byte[] part = java.util.Arrays.copyOfRange(frame, from, to);
            out[i] = packet((seq + i) & 0xFFFF, ts, i == n - 1, concat(vp8Descriptor(i == 0, pictureId, 5, 1), part));
        }
        return out;
    }
}
