package org.roundtable.mixer;

/**
 * ITU-T G.722 (SB-ADPCM, 64 kbit/s mode): 16 kHz audio as 8 bits per two samples, split by a QMF into a
 * 6-bit low band and a 2-bit high band. Written from the ITU-T recommendation's block structure; checked
 * against FFmpeg's encoder and decoder in the tests. One instance per stream and direction (stateful).
 * RTP: payload type 9, clock rate 8000 by RFC 3551's historical error, 160 bytes per 20 ms.
 * Thread: the owner's only.
 */
public final class G722 {
    private static final int[] QMF = {3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11};
    private static final int[] WL = {-60, -30, 58, 172, 334, 538, 1198, 3042};
    private static final int[] RL42 = {0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0};
    private static final int[] ILB = {2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
            2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008};
    private static final int[] WH = {0, -214, 798};
    private static final int[] RH2 = {2, 1, 2, 1};
    private static final int[] QM2 = {-7408, -1616, 7408, 1616};
    private static final int[] QM4 = {0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0};
    private static final int[] QM6 = {-136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360,
            -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
            24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456, 4944, 4464, 4008,
            3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136};
    private static final int[] Q6 = {0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121,
            1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0};
    private static final int[] ILN = {0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9,
            8, 7, 6, 5, 4, 0};
    private static final int[] ILP = {0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37,
            36, 35, 34, 33, 32, 0};
    private static final int[] IHN = {0, 1, 0};
    private static final int[] IHP = {0, 3, 2};

    /** Adaptive predictor state of one sub-band. */
    private static final class Band {
        int s, sp, sz, nb, det;
        final int[] r = new int[3], a = new int[3], ap = new int[3], p = new int[3], d = new int[7], b = new int[7], bp = new int[7], sg = new int[7];
    }

    private final Band low = new Band(), high = new Band();
    private final int[] x = new int[24];

    public G722() {
        low.det = 32;
        high.det = 8;
    }

    private static int sat(int v) { return Math.max(-32768, Math.min(32767, v)); }

    /** The predictor update (block 4) shared by both bands. */
    private static void block4(Band band, int d) {
        band.d[0] = d;
        band.r[0] = sat(band.s + d);
        band.p[0] = sat(band.sz + d);
        for (int i = 0; i < 3; i++) band.sg[i] = band.p[i] >> 15;
        int wd1 = sat(band.a[1] << 2);
        int wd2 = band.sg[0] == band.sg[1] ? -wd1 : wd1;
        if (wd2 > 32767) wd2 = 32767;
        int wd3 = (wd2 >> 7) + (band.sg[0] == band.sg[2] ? 128 : -128);
        wd3 += (band.a[2] * 32512) >> 15;
        wd3 = Math.max(-12288, Math.min(12288, wd3));
        band.ap[2] = wd3;
        band.sg[0] = band.p[0] >> 15;
        band.sg[1] = band.p[1] >> 15;
        wd1 = band.sg[0] == band.sg[1] ? 192 : -192;
        wd2 = (band.a[1] * 32640) >> 15;
        band.ap[1] = sat(wd1 + wd2);
        wd3 = sat(15360 - band.ap[2]);
        if (band.ap[1] > wd3) band.ap[1] = wd3; else if (band.ap[1] < -wd3) band.ap[1] = -wd3;
        wd1 = d == 0 ? 0 : 128;
        band.sg[0] = d >> 15;
        for (int i = 1; i < 7; i++) {
            band.sg[i] = band.d[i] >> 15;
            wd2 = band.sg[i] == band.sg[0] ? wd1 : -wd1;
            wd3 = (band.b[i] * 32640) >> 15;
            band.bp[i] = sat(wd2 + wd3);
        }
        for (int i = 6; i > 0; i--) { band.d[i] = band.d[i - 1]; band.b[i] = band.bp[i]; }
        for (int i = 2; i > 0; i--) { band.r[i] = band.r[i - 1]; band.p[i] = band.p[i - 1]; band.a[i] = band.ap[i]; }
        wd1 = sat(band.r[1] + band.r[1]);
        wd1 = (band.a[1] * wd1) >> 15;
        wd2 = sat(band.r[2] + band.r[2]);
        wd2 = (band.a[2] * wd2) >> 15;
        band.sp = sat(wd1 + wd2);
        int sz = 0;
        for (int i = 6; i > 0; i--) {
            wd1 = sat(band.d[i] + band.d[i]);
            sz += (band.b[i] * wd1) >> 15;
        }
        band.sz = sat(sz);
        band.s = sat(band.sp + band.sz);
    }

    private static int scale(int nb, int shift) {
        int wd1 = (nb >> 6) & 31, wd2 = shift - (nb >> 11);
        int wd3 = wd2 < 0 ? ILB[wd1] << -wd2 : ILB[wd1] >> wd2;
        return wd3 << 2;
    }

    /** Encodes 2n samples at 16 kHz into n bytes. */
    public int encode(short[] pcm16k, int samples, byte[] out) {
        int n = 0;
        for (int j = 0; j + 1 < samples; j += 2) {
            System.arraycopy(x, 2, x, 0, 22);
            x[22] = pcm16k[j];
            x[23] = pcm16k[j + 1];
            int sumEven = 0, sumOdd = 0;
            for (int i = 0; i < 12; i++) { sumOdd += x[2 * i] * QMF[i]; sumEven += x[2 * i + 1] * QMF[11 - i]; }
            int xlow = (sumEven + sumOdd) >> 14, xhigh = (sumEven - sumOdd) >> 14;
            // low band: quantise, inverse-quantise, adapt
            int el = sat(xlow - low.s);
            int wd = el >= 0 ? el : -(el + 1);
            int i = 1;
            for (; i < 30; i++) if (wd < ((Q6[i] * low.det) >> 12)) break;
            int ilow = el < 0 ? ILN[i] : ILP[i];
            int ril = ilow >> 2;
            int dlow = (low.det * QM4[ril]) >> 15;
            low.nb = Math.max(0, Math.min(18432, ((low.nb * 127) >> 7) + WL[RL42[ril]]));
            low.det = scale(low.nb, 8);
            block4(low, dlow);
            // high band
            int eh = sat(xhigh - high.s);
            wd = eh >= 0 ? eh : -(eh + 1);
            int mih = wd >= ((564 * high.det) >> 12) ? 2 : 1;
            int ihigh = eh < 0 ? IHN[mih] : IHP[mih];
            int dhigh = (high.det * QM2[ihigh]) >> 15;
            high.nb = Math.max(0, Math.min(22528, ((high.nb * 127) >> 7) + WH[RH2[ihigh]]));
            high.det = scale(high.nb, 10);
            block4(high, dhigh);
            out[n++] = (byte) ((ihigh << 6) | ilow);
        }
        return n;
    }

    /** Decodes n bytes into 2n samples at 16 kHz. */
    public int decode(byte[] in, int off, int len, short[] pcm16k) {
        int o = 0;
        for (int j = 0; j < len; j++) {
            int code = in[off + j] & 0xFF;
            int wd1 = code & 0x3F, ihigh = (code >> 6) & 0x03;
            int wd2 = QM6[wd1];
            wd1 >>= 2;
            wd2 = (low.det * wd2) >> 15;
            int rlow = Math.max(-16384, Math.min(16383, low.s + wd2));
            int dlow = (low.det * QM4[wd1]) >> 15;
            low.nb = Math.max(0, Math.min(18432, ((low.nb * 127) >> 7) + WL[RL42[wd1]]));
            low.det = scale(low.nb, 8);
            block4(low, dlow);
            int dhigh = (high.det * QM2[ihigh]) >> 15;
            int rhigh = Math.max(-16384, Math.min(16383, dhigh + high.s));
            high.nb = Math.max(0, Math.min(22528, ((high.nb * 127) >> 7) + WH[RH2[ihigh]]));
            high.det = scale(high.nb, 10);
            block4(high, dhigh);
            System.arraycopy(x, 2, x, 0, 22);
            x[22] = rlow + rhigh;
            x[23] = rlow - rhigh;
            int xout1 = 0, xout2 = 0;
            for (int i = 0; i < 12; i++) { xout2 += x[2 * i] * QMF[i]; xout1 += x[2 * i + 1] * QMF[11 - i]; }
            pcm16k[o++] = (short) sat(xout1 >> 11);
            pcm16k[o++] = (short) sat(xout2 >> 11);
        }
        return o;
    }
}
