package org.roundtable.mixer.compose;

/**
 * Where each member's voice is in the meeting mix, for lip sync: the sender's capture time of the audio
 * the mixer mixed last, and when it mixed it. A member's video frame captured at c is shown with the
 * mix made at c - voiceCapture + voiceMixed, so each member's lips meet their own voice whatever delay
 * each path took. Implemented by the meeting's audio mix. Thread: any.
 */
public interface AudioTimes {
    /**
     * For owner's voice: out[0] = the sender's wall-clock ms (NTP epoch) at which the audio mixed last was
     * captured, out[1] = the System.nanoTime of the tick that mixed it. False when unknown (no voice, no
     * sender report yet).
     */
    boolean voice(String ownerId, double[] out);
}
