package org.roundtable.mixer.video;

/**
 * A growable byte buffer that one frame is written into and that is reused for the next: it grows by
 * doubling up to a cap and never shrinks, so a stream allocates only while its frames get bigger.
 * Thread: the owner's (the composition's thread); not thread-safe.
 */
public final class FrameBuffer {
    /** The default cap: bigger than any sane 4K key frame. */
    public static final int DEFAULT_MAX = 4 << 20;
    private final int max;
    private byte[] a;
    private int len;

    public FrameBuffer() { this(16 << 10, DEFAULT_MAX); }

    public FrameBuffer(int initial, int max) {
        if (initial < 1 || max < initial) throw new IllegalArgumentException("initial " + initial + ", max " + max);
        this.a = new byte[initial];
        this.max = max;
    }

    public byte[] array() { return a; }
    public int length() { return len; }
    public void reset() { len = 0; }

    /** Appends src[off, off+n); false (and nothing written) if the frame would pass the cap. */
    public boolean append(byte[] src, int off, int n) {
        if (!ensure(n)) return false;
        System.arraycopy(src, off, a, len, n);
        len += n;
        return true;
    }

    public boolean put(int b) {
        if (!ensure(1)) return false;
        a[len++] = (byte) b;
        return true;
    }

    /** The Annex B start code 00 00 00 01. */
    public boolean putStartCode() {
        if (!ensure(4)) return false;
        a[len] = 0; a[len + 1] = 0; a[len + 2] = 0; a[len + 3] = 1;
        len += 4;
        return true;
    }

    private boolean ensure(int n) {
        int need = len + n;
        if (need <= a.length) return true;
        if (n < 0 || need > max || need < 0) return false;
        int cap = a.length;
        while (cap < need) cap = Math.min(max, cap * 2);
        a = java.util.Arrays.copyOf(a, cap);
        return true;
    }
}
