package org.roundtable.signaling.meeting;

import org.roundtable.bridge.transport.PlainRtpLeg;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.mixer.AudioMixer;

/**
 * What a phone member hears: the meeting mix, or for a moment a prompt ("muted", "not permitted")
 * in its place. Thread: frame() on the mixer tick; prompt() from the meeting's executor.
 */
final class PhoneOutput implements AudioMixer.Output {
    private final PlainRtpLeg leg;
    private final AudioCodec.Kind codec;
    private volatile byte[] prompt;
    private int pos;
    private final org.roundtable.mixer.PromptFrames frames;
    private final byte[] frame = new byte[1500];

    PhoneOutput(PlainRtpLeg leg, AudioCodec.Kind codec) {
        this.leg = leg;
        this.codec = codec;
        this.frames = new org.roundtable.mixer.PromptFrames(codec);
    }

    /** Plays an 8 kHz µ-law prompt instead of the mix until it ends. */
    void prompt(byte[] ulaw) {
        if (ulaw == null || ulaw.length == 0) return;
        synchronized (this) { pos = 0; prompt = ulaw; }
    }

    @Override public void frame(byte[] payload, int len, long ts) {
        byte[] pr;
        int at;
        synchronized (this) {
            pr = prompt;
            at = pos;
            if (pr != null) { pos += 160; if (pos >= pr.length) prompt = null; }
        }
        int ticks = codec.frameTicks();
        if (pr == null) { leg.send(payload, len, ticks); return; }
        int n = frames.frame(pr, at, frame);
        leg.send(frame, n, ticks);
    }
}
