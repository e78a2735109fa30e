package org.roundtable.bench.compose;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.roundtable.mixer.AudioCodec;
import org.junit.jupiter.api.Test;

/**
 * The drift benchmark's sender content: every beep starts where its flash frame is captured (the
 * truth the benchmark measures against), and the copied beep detector finds those onsets.
 */
class FlashPatternTest {
    @Test void beepsStartAtTheirFlashFramesCaptureAndTheDetectorFindsThem() {
        FlashPattern p = new FlashPattern(3);
        int seconds = 40;
        float[] x = new float[seconds * FlashPattern.RATE];
        short[] frame = new short[AudioCodec.FRAME];
        for (int k = 0; k < x.length / frame.length; k++) {
            p.audio((long) k * frame.length, frame);
            for (int i = 0; i < frame.length; i++) x[k * frame.length + i] = frame[i] / 32768f;
        }
        List<Double> flashes = new ArrayList<>();
        for (long j = 1; j < seconds * FlashPattern.FPS; j++) {
            int t = (int) (j % FlashPattern.LOOP_FRAMES), prev = (int) ((j - 1) % FlashPattern.LOOP_FRAMES);
            if (FlashPattern.white(t) && !FlashPattern.white(prev)) flashes.add(p.captureMs(j));
        }
        assertEquals(seconds * 1000 / 8000 * 5, flashes.size());
        List<Double> beeps = Onsets.beepOnsets(x, FlashPattern.RATE).onsets();
        assertEquals(flashes.size(), beeps.size());
        double maxShift = 0;
        for (int i = 0; i < beeps.size(); i++) {
            assertEquals(flashes.get(i), beeps.get(i), 0.2, "event " + i);     // the detector's threshold crossing: < 0.1 ms in
            maxShift = Math.max(maxShift, Math.abs(flashes.get(i) - Math.round(flashes.get(i) * 0.03) / 0.03));
        }
        assertTrue(maxShift > 8, "flash frames are moved off the 30 fps grid: " + maxShift);
    }

    @Test void flashesAreThreeWhiteFramesAtTheEvents() {
        int white = 0;
        for (int t = 0; t < FlashPattern.LOOP_FRAMES; t++) if (FlashPattern.white(t)) white++;
        assertEquals(15, white);
        assertTrue(FlashPattern.white(15) && FlashPattern.white(17) && !FlashPattern.white(18) && !FlashPattern.white(14));
    }
}
