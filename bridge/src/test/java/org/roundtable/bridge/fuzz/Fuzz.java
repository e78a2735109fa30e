package org.roundtable.bridge.fuzz;

/** Helpers for the fuzz tests: inputs are placed at an offset inside a larger array, as the bridge's buffers are. */
final class Fuzz {
    private Fuzz() {}

    /** Where the input starts in the array {@link #embed} returns. */
    static final int OFF = 5;

    /** The input at {@link #OFF}, with 16 bytes of 0xEE after it: a read past the packet's end sees junk, not an exception. */
    static byte[] embed(byte[] in) {
        byte[] a = new byte[OFF + in.length + 16];
        java.util.Arrays.fill(a, (byte) 0xEE);
        System.arraycopy(in, 0, a, OFF, in.length);
        return a;
    }

    /** A broken invariant is a finding. */
    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }
}
