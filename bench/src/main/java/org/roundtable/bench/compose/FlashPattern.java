package org.roundtable.bench.compose;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The synthetic sender's content for the drift benchmark, on the sender's own time line (ms since the
 * sender started, by its clock): a white flash (3 camera frames) on a dark picture and a 1 kHz beep
 * (100 ms) at the same instants, repeating every {@link #PERIOD_MS} with irregular spacings (as the
 * browser lip-sync test's LipSync.EVENTS_S: 1.3, 1.6, 1.9, 1.2, 2.0 s, all different), so onsets pair
 * up unambiguously.
 * <p>
 * The camera runs at 30 fps, but the frame that starts each flash is captured at a random instant
 * within ±16.6 ms of its nominal time (a camera whose frame times wander), and that event's beep starts
 * at exactly that instant: at the sender, picture and sound of every event coincide to the sample. The
 * randomness spreads the flash instants over the whole of the composition's 33 ms output frame grid,
 * so that the grid's rounding adds the same mean delay to every minute however the two drifting clocks
 * slide against each other (without it the per-minute means would carry a slowly changing bias of up
 * to one output frame).
 * Thread: immutable; any.
 */
final class FlashPattern {
    static final int FPS = 30, RATE = 48_000, FLASH_FRAMES = 3, DARK = 48, WHITE = 235;
    static final double PERIOD_MS = 8_000, BEEP_MS = 100;
    static final double[] EVENTS_MS = {500, 1_800, 3_400, 5_300, 6_500};
    static final double JITTER_MS = 16.6;
    static final short AMPLITUDE = 16_000;
    /** Camera frames in one period (240): the encoded loop. */
    static final int LOOP_FRAMES = (int) Math.round(PERIOD_MS * FPS / 1000);
    private static final int[] FIRST_FRAME = new int[EVENTS_MS.length];
    static {
        for (int i = 0; i < EVENTS_MS.length; i++) FIRST_FRAME[i] = (int) Math.round(EVENTS_MS[i] * FPS / 1000);
    }
    private final long seed;

    FlashPattern(long seed) { this.seed = seed; }

    /** Whether frame t of the loop (0 .. LOOP_FRAMES-1) is white. */
    static boolean white(int t) {
        for (int f : FIRST_FRAME) if (t >= f && t < f + FLASH_FRAMES) return true;
        return false;
    }

    /** Paints frame t of the loop: flat dark or flat white luma, neutral chroma. */
    static void paint(int t, byte[] y, byte[] u, byte[] v) {
        Arrays.fill(y, (byte) (white(t) ? WHITE : DARK));
        Arrays.fill(u, (byte) 128);
        Arrays.fill(v, (byte) 128);
    }

    /** The random shift (ms) of event i of period p: the same for its flash frame and its beep. */
    double shiftMs(long p, int i) {
        return new SplittableRandom(seed * 1_000_003L + p * 8 + i).nextDouble(-JITTER_MS, JITTER_MS);
    }

    /**
     * When camera frame j (counted from the sender's start) is captured, in sender ms: on the 30 fps grid,
     * but shifted if it is the first frame of a flash.
     */
    double captureMs(long j) {
        double nominal = j * 1000.0 / FPS;
        long p = Math.floorDiv(j, LOOP_FRAMES);
        int t = (int) (j - p * LOOP_FRAMES);
        for (int i = 0; i < FIRST_FRAME.length; i++) if (FIRST_FRAME[i] == t) return nominal + shiftMs(p, i);
        return nominal;
    }

    /** Fills pcm with the sender's microphone from sample n0 on (48 kHz, sample n at n / 48 ms): silence and beeps. */
    void audio(long n0, short[] pcm) {
        Arrays.fill(pcm, (short) 0);
        long n1 = n0 + pcm.length;
        double msPerSample = 1000.0 / RATE;
        long p0 = (long) Math.floor(n0 * msPerSample / PERIOD_MS);
        for (long p = p0 - 1; p <= p0 + 1; p++) {
            if (p < 0) continue;
            for (int i = 0; i < EVENTS_MS.length; i++) {
                double startMs = p * PERIOD_MS + FIRST_FRAME[i] * 1000.0 / FPS + shiftMs(p, i);
                long b = (long) Math.ceil(startMs / msPerSample), e = b + Math.round(BEEP_MS / msPerSample);
                for (long n = Math.max(n0, b); n < Math.min(n1, e); n++) {
                    double dt = (n - startMs / msPerSample) / RATE;       // seconds since the exact onset
                    pcm[(int) (n - n0)] = (short) Math.round(AMPLITUDE * Math.sin(2 * Math.PI * 1000.0 * dt));
                }
            }
        }
    }
}
