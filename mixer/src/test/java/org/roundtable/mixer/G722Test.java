package org.roundtable.mixer;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Our encoder and decoder together; interoperability with FFmpeg is tested in signaling (G722InteropTest). */
class G722Test {
    @Test void roundTripKeepsTheWidebandSignal() {
        G722 enc = new G722(), dec = new G722();
        short[] out = new short[16000];
        byte[] bytes = new byte[160];
        short[] frame = new short[320];
        for (int f = 0; f < 50; f++) {
            short[] in = new short[320];
            for (int i = 0; i < 320; i++) in[i] = (short) (6000 * Math.sin(2 * Math.PI * 1000 * (f * 320 + i) / 16000.0)
                    + 4000 * Math.sin(2 * Math.PI * 5500 * (f * 320 + i) / 16000.0));      // 5.5 kHz: only wideband carries it
            assertEquals(160, enc.encode(in, 320, bytes));
            assertEquals(320, dec.decode(bytes, 0, 160, frame));
            System.arraycopy(frame, 0, out, f * 320, 320);
        }
        short[] tail = java.util.Arrays.copyOfRange(out, 4000, 16000);
        assertEquals(6000, Tones.amplitude(tail, tail.length, 1000, 16000), 900, "1 kHz");
        assertEquals(4000, Tones.amplitude(tail, tail.length, 5500, 16000), 900, "5.5 kHz (the high band)");
    }
}
