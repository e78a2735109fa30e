package org.roundtable.streaming.rtmp;

import java.util.Arrays;

/**
 * A growable byte buffer written big-endian, reused for every message a connection sends (reset, fill,
 * hand {@link #array()} and {@link #size()} to the socket) so the media path allocates nothing once warm.
 * Not thread-safe: one owner thread.
 */
final class ByteSink {
    private byte[] buf;
    private int size;

    ByteSink(int initial) { buf = new byte[Math.max(16, initial)]; }

    void reset() { size = 0; }
    /** Drops everything written after {@code mark} (an earlier {@link #size()}). */
    void reset(int mark) { size = mark; }
    int size() { return size; }
    /** The backing array; valid bytes are [0, size). */
    byte[] array() { return buf; }
    byte[] toByteArray() { return Arrays.copyOf(buf, size); }

    void ensure(int more) {
        if (size + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }

    ByteSink u8(int v) { ensure(1); buf[size++] = (byte) v; return this; }
    ByteSink u16(int v) { ensure(2); buf[size++] = (byte) (v >>> 8); buf[size++] = (byte) v; return this; }
    ByteSink u24(int v) { ensure(3); buf[size++] = (byte) (v >>> 16); buf[size++] = (byte) (v >>> 8); buf[size++] = (byte) v; return this; }
    ByteSink u32(long v) { ensure(4); u16((int) (v >>> 16)); u16((int) v); return this; }
    /** Little-endian 32 bits (the message stream id in a type 0 chunk header). */
    ByteSink u32le(int v) { ensure(4); buf[size++] = (byte) v; buf[size++] = (byte) (v >>> 8); buf[size++] = (byte) (v >>> 16); buf[size++] = (byte) (v >>> 24); return this; }
    ByteSink f64(double d) { long b = Double.doubleToLongBits(d); u32(b >>> 32); u32(b & 0xffffffffL); return this; }
    ByteSink bytes(byte[] b) { return bytes(b, 0, b.length); }
    ByteSink bytes(byte[] b, int off, int len) { ensure(len); System.arraycopy(b, off, buf, size, len); size += len; return this; }
    /** Overwrites 32 bits at pos (a length written after its content). */
    void putU32(int pos, int v) { buf[pos] = (byte) (v >>> 24); buf[pos + 1] = (byte) (v >>> 16); buf[pos + 2] = (byte) (v >>> 8); buf[pos + 3] = (byte) v; }
}
