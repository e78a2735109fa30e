package org.roundtable.mixer;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ResamplerTest {
    @Test void downAndUpKeepsSpeechBandAndRemovesAliases() {
        for (int rate : new int[] {8000, 16000}) {
            Resampler down = new Resampler(rate, true), up = new Resampler(rate, false);
            int f = down.factor();
            short[] low = new short[960 / f], back = new short[960];
            short[] all = new short[960 * 10];
            for (int frame = 0; frame < 10; frame++) {
                short[] in = Tones.tone(1000, 48000, 960, 10000, frame * 960);
                down.down(in, 960, low);
                up.up(low, 960 / f, back);
                System.arraycopy(back, 0, all, frame * 960, 960);
            }
            short[] tail = java.util.Arrays.copyOfRange(all, 4800, 9600);
            double a1k = Tones.amplitude(tail, tail.length, 1000, 48000);
            assertEquals(10000, a1k, 1500, rate + " Hz: 1 kHz passes at the right level");
            // a tone above the low rate's Nyquist must not come back as an alias
            Resampler d2 = new Resampler(rate, true);
            short[] hi = Tones.tone(rate * 0.75, 48000, 960 * 4, 10000, 0), lo = new short[960 * 4 / f];
            d2.down(hi, hi.length, lo);
            double alias = Tones.amplitude(java.util.Arrays.copyOfRange(lo, lo.length / 2, lo.length), lo.length / 2, rate * 0.25, rate);
            assertTrue(alias < 500, rate + " Hz: alias suppressed: " + alias);
        }
    }
}
