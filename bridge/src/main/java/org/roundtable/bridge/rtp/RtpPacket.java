package org.roundtable.bridge.rtp;

/**
 * Static accessors for an RTP packet held in a byte array (RFC 3550 section 5.1). No object per packet:
 * callers pass (buf, off, len). Thread: any; stateless.
 */
public final class RtpPacket {
    private RtpPacket() {}

    public static final int FIXED_HEADER = 12;

    /** True if the bytes look like a well-formed RTP packet: version 2, header and padding fit. */
    public static boolean isValid(byte[] b, int off, int len) {
        if (len < FIXED_HEADER || (b[off] & 0xC0) != 0x80) return false;
        int hl = headerLength(b, off, len);
        if (hl < 0 || hl > len) return false;
        if ((b[off] & 0x20) != 0) {
            int pad = b[off + len - 1] & 0xFF;
            if (pad == 0 || hl + pad > len) return false;
        }
        return true;
    }

    /** Header length including CSRCs and extension, or -1 if it does not fit in len. */
    public static int headerLength(byte[] b, int off, int len) {
        int cc = b[off] & 0x0F;
        int hl = FIXED_HEADER + 4 * cc;
        if ((b[off] & 0x10) != 0) {
            if (hl + 4 > len) return -1;
            int extWords = u16(b, off + hl + 2);
            hl += 4 + 4 * extWords;
        }
        return hl > len ? -1 : hl;
    }

    public static int payloadLength(byte[] b, int off, int len) {
        int hl = headerLength(b, off, len);
        int pad = (b[off] & 0x20) != 0 ? (b[off + len - 1] & 0xFF) : 0;
        return len - hl - pad;
    }

    public static boolean hasPadding(byte[] b, int off) { return (b[off] & 0x20) != 0; }
    public static boolean marker(byte[] b, int off) { return (b[off + 1] & 0x80) != 0; }
    public static int payloadType(byte[] b, int off) { return b[off + 1] & 0x7F; }
    public static int sequence(byte[] b, int off) { return u16(b, off + 2); }
    public static long timestamp(byte[] b, int off) { return u32(b, off + 4); }
    public static int ssrc(byte[] b, int off) { return i32(b, off + 8); }

    public static void setPayloadType(byte[] b, int off, int pt) { b[off + 1] = (byte) ((b[off + 1] & 0x80) | (pt & 0x7F)); }
    public static void setSequence(byte[] b, int off, int seq) { b[off + 2] = (byte) (seq >> 8); b[off + 3] = (byte) seq; }
    public static void setTimestamp(byte[] b, int off, long ts) { putI32(b, off + 4, (int) ts); }
    public static void setSsrc(byte[] b, int off, int ssrc) { putI32(b, off + 8, ssrc); }

    /**
     * Finds a one-byte (RFC 8285, 0xBEDE) header extension element by id.
     * @return offset of the element's data in b, or -1; its length is {@code (b[ret-1] & 0x0F) + 1}
     */
    public static int findOneByteExtension(byte[] b, int off, int len, int id) {
        if ((b[off] & 0x10) == 0) return -1;
        int p = off + FIXED_HEADER + 4 * (b[off] & 0x0F);
        if (p + 4 > off + len || u16(b, p) != 0xBEDE) return -1;
        int end = p + 4 + 4 * u16(b, p + 2);
        if (end > off + len) return -1;
        p += 4;
        while (p < end) {
            int h = b[p] & 0xFF;
            if (h == 0) { p++; continue; }
            int eid = h >> 4, elen = (h & 0x0F) + 1;
            if (eid == 15) return -1;
            if (p + 1 + elen > end) return -1;
            if (eid == id) return p + 1;
            p += 1 + elen;
        }
        return -1;
    }

    public static int u16(byte[] b, int p) { return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF); }
    public static long u32(byte[] b, int p) { return i32(b, p) & 0xFFFFFFFFL; }
    public static int i32(byte[] b, int p) {
        return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }
    public static void putI32(byte[] b, int p, int v) {
        b[p] = (byte) (v >> 24); b[p + 1] = (byte) (v >> 16); b[p + 2] = (byte) (v >> 8); b[p + 3] = (byte) v;
    }
    public static void putU16(byte[] b, int p, int v) { b[p] = (byte) (v >> 8); b[p + 1] = (byte) v; }

    /** RFC 3550 A.1 style serial comparison: is a newer than b (16-bit)? */
    public static boolean seqNewer(int a, int b) { return a != b && ((a - b) & 0xFFFF) < 0x8000; }
}
