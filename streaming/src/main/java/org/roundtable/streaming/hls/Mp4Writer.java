package org.roundtable.streaming.hls;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer that writes ISO BMFF boxes: {@link #begin} opens a box (its size is
 * filled in by the matching {@link #end}), {@link #full} opens a FullBox. Used by {@link InitSegment} and
 * {@link Fmp4Muxer} on the composition thread; not thread-safe.
 */
final class Mp4Writer {
    private byte[] buf;
    private int len;
    private final int[] open = new int[16];
    private int depth;

    Mp4Writer(int capacity) { buf = new byte[Math.max(64, capacity)]; }

    Mp4Writer begin(String type) {
        if (depth == open.length) throw new IllegalStateException("boxes nested too deep");
        open[depth++] = len;
        u32(0);
        return fourcc(type);
    }

    Mp4Writer full(String type, int version, int flags) {
        begin(type);
        return u32((version << 24) | (flags & 0xffffff));
    }

    Mp4Writer end() {
        int start = open[--depth];
        putU32(start, len - start);
        return this;
    }

    Mp4Writer fourcc(String type) {
        byte[] b = type.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length != 4) throw new IllegalArgumentException("box type " + type);
        return bytes(b);
    }

    Mp4Writer u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    Mp4Writer u16(int v) { return u8(v >>> 8).u8(v); }

    Mp4Writer u24(int v) { return u8(v >>> 16).u16(v); }

    Mp4Writer u32(long v) {
        ensure(4);
        putU32(len, v);
        len += 4;
        return this;
    }

    Mp4Writer u64(long v) { return u32(v >>> 32).u32(v & 0xffffffffL); }

    Mp4Writer zeros(int n) {
        ensure(n);
        len += n;           // the array is zero past len: we never shrink or reuse it
        return this;
    }

    Mp4Writer bytes(byte[] b) { return bytes(b, 0, b.length); }

    Mp4Writer bytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    /** The number of bytes written so far (the position of the next byte). */
    int position() { return len; }

    void putU32(int at, long v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    byte[] toByteArray() {
        if (depth != 0) throw new IllegalStateException(depth + " boxes left open");
        return buf.length == len ? buf : Arrays.copyOf(buf, len);
    }

    private void ensure(int n) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
}
