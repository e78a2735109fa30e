package org.roundtable.mixer;

/** G.711 µ-law and A-law (ITU-T G.711), by table for decoding. Thread: any; stateless. */
public final class G711 {
    private G711() {}

    private static final short[] ULAW = new short[256], ALAW = new short[256];
    static {
        for (int i = 0; i < 256; i++) {
            int u = ~i & 0xFF;
            int t = ((u & 0x0F) << 3) + 0x84;
            t <<= (u & 0x70) >> 4;
            ULAW[i] = (short) ((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
            int a = i ^ 0x55;
            int seg = (a & 0x70) >> 4;
            int v = (a & 0x0F) << 4;
            v = seg == 0 ? v + 8 : seg == 1 ? v + 0x108 : (v + 0x108) << (seg - 1);
            ALAW[i] = (short) ((a & 0x80) != 0 ? v : -v);
        }
    }

    public static short ulawToLinear(int b) { return ULAW[b & 0xFF]; }
    public static short alawToLinear(int b) { return ALAW[b & 0xFF]; }

    public static byte linearToUlaw(int pcm) {
        int sign = pcm < 0 ? 0x80 : 0;
        int mag = Math.min(Math.abs(pcm), 32635) + 0x84;
        int exp = 7;
        for (int mask = 0x4000; (mag & mask) == 0 && exp > 0; mask >>= 1) exp--;
        int mant = (mag >> (exp + 3)) & 0x0F;
        return (byte) ~(sign | (exp << 4) | mant);
    }

    public static byte linearToAlaw(int pcm) {
        int sign = pcm >= 0 ? 0x80 : 0;
        int mag = Math.min(pcm >= 0 ? pcm : -pcm - 1, 32767);
        int v;
        if (mag < 256) {
            v = mag >> 4;
        } else {
            int exp = 7;
            for (int mask = 0x4000; (mag & mask) == 0 && exp > 1; mask >>= 1) exp--;
            v = (exp << 4) | ((mag >> (exp + 3)) & 0x0F);
        }
        return (byte) ((sign | v) ^ 0x55);
    }
}
