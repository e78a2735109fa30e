package org.roundtable.mixer;

/** Test signals and a Goertzel detector. */
final class Tones {
    private Tones() {}

    static short[] tone(double hz, int rate, int samples, int amplitude, int startSample) {
        short[] s = new short[samples];
        for (int i = 0; i < samples; i++) s[i] = (short) (amplitude * Math.sin(2 * Math.PI * hz * (startSample + i) / rate));
        return s;
    }

    /** Amplitude of a frequency in a signal (Goertzel). */
    static double amplitude(short[] x, int len, double hz, int rate) {
        double w = 2 * Math.PI * hz / rate, c = 2 * Math.cos(w), s1 = 0, s2 = 0;
        for (int i = 0; i < len; i++) { double s = x[i] + c * s1 - s2; s2 = s1; s1 = s; }
        double power = s1 * s1 + s2 * s2 - c * s1 * s2;
        return 2 * Math.sqrt(Math.max(0, power)) / len;
    }
}
