package org.roundtable.mixer;

/**
 * Integer-ratio resampling between 48 kHz and 16 or 8 kHz with a windowed-sinc low-pass FIR, keeping
 * history across 20 ms frames so there are no clicks at frame edges. One instance per stream and
 * direction. Thread: the mixer tick only.
 */
public final class Resampler {
    private final int factor;          // 3 (48<->16) or 6 (48<->8)
    private final boolean down;        // 48 kHz -> lower
    private final float[] taps;
    private final float[] history;     // input history at the high rate
    private int pos;

    public Resampler(int lowRate, boolean down) {
        if (lowRate != 8000 && lowRate != 16000) throw new IllegalArgumentException("8000 or 16000 Hz");
        this.factor = 48000 / lowRate;
        this.down = down;
        int n = 8 * factor * 2 + 1;
        taps = new float[n];
        double cutoff = 0.45 / factor;   // just under the low rate's Nyquist, relative to 48 kHz
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int m = i - n / 2;
            double sinc = m == 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * m) / (Math.PI * m);
            double w = 0.42 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1)) + 0.08 * Math.cos(4 * Math.PI * i / (n - 1)); // Blackman
            taps[i] = (float) (sinc * w);
            sum += taps[i];
        }
        for (int i = 0; i < n; i++) taps[i] /= (float) sum;
        history = new float[n];
    }

    public int factor() { return factor; }

    private void push(float x) {
        history[pos] = x;
        pos = (pos + 1) % history.length;
    }

    private float filter() {
        float acc = 0;
        int n = history.length;
        for (int i = 0, j = pos; i < n; i++, j = (j + 1) % n) acc += history[j] * taps[i];
        return acc;
    }

    /** 48 kHz in (inLen samples), low rate out; returns samples written (inLen / factor). */
    public int down(short[] in, int inLen, short[] out) {
        int o = 0;
        for (int i = 0; i < inLen; i++) {
            push(in[i]);
            if ((i % factor) == factor - 1) out[o++] = clip(filter());
        }
        return o;
    }

    /** Low rate in, 48 kHz out; returns samples written (inLen * factor). */
    public int up(short[] in, int inLen, short[] out) {
        int o = 0;
        for (int i = 0; i < inLen; i++) {
            for (int k = 0; k < factor; k++) {
                push(k == 0 ? in[i] * (float) factor : 0f);
                out[o++] = clip(filter());
            }
        }
        return o;
    }

    static short clip(float v) { return (short) Math.max(-32768, Math.min(32767, Math.round(v))); }
}
