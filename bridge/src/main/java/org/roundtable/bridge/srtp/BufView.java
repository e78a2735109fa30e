package org.roundtable.bridge.srtp;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * A reusable, mutable window on a byte array that jitsi-srtp transforms in place. One per thread-confined
 * user (an endpoint's media path), so no allocation per packet. Thread: the owner's thread only.
 */
public final class BufView implements ByteArrayBuffer {
    private byte[] buf;
    private int off, len, cap;

    /** Points the view at buf[off, off+len) with room to grow to off+cap. */
    public BufView set(byte[] buf, int off, int len, int cap) {
        this.buf = buf; this.off = off; this.len = len; this.cap = cap;
        return this;
    }

    @Override public byte[] getBuffer() { return buf; }
    @Override public int getOffset() { return off; }
    @Override public int getLength() { return len; }
    @Override public void setLength(int l) {
        if (l < 0 || l > cap) throw new IllegalArgumentException("length " + l + " beyond capacity " + cap);
        len = l;
    }
    @Override public void setOffset(int o) { int d = o - off; off = o; cap -= d; }
    @Override public boolean isInvalid() { return buf == null; }
    @Override public void readRegionToBuff(int o, int l, byte[] out) { System.arraycopy(buf, off + o, out, 0, l); }
    @Override public void grow(int more) {
        if (len + more > cap) throw new IllegalStateException("no tail room for " + more + " bytes");
    }
    @Override public void append(byte[] data, int l) {
        grow(l);
        System.arraycopy(data, 0, buf, off + len, l);
        len += l;
    }
    @Override public void shrink(int l) { if (l > 0) len = Math.max(0, len - l); }
}
