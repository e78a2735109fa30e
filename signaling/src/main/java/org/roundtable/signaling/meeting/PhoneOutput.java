package org.roundtable.signaling.meeting;

import org.roundtable.bridge.transport.PlainRtpLeg;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.mixer.AudioMixer;
import org.roundtable.mixer.G711;

/**
 * What a phone member hears: the meeting mix, or for a moment a prompt ("muted", "not permitted")
 * in its place. Thread: frame() on the mixer tick; prompt() from the meeting's executor.
 */
final class PhoneOutput implements AudioMixer.Output {
    private final PlainRtpLeg leg;
    private final AudioCodec.Kind codec;
    private volatile byte[] prompt;
    private int pos;

    PhoneOutput(PlainRtpLeg leg, AudioCodec.Kind codec) {
        this.leg = leg;
        this.codec = codec;
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
        if (pr == null || codec == AudioCodec.Kind.OPUS) { leg.send(payload, len, 160); return; }
        byte[] f = new byte[160];
        for (int i = 0; i < 160; i++) {
            int u = at + i < pr.length ? pr[at + i] & 0xFF : 0xFF;
            f[i] = codec == AudioCodec.Kind.PCMA ? G711.linearToAlaw(G711.ulawToLinear(u)) : (byte) u;
        }
        leg.send(f, 160, 160);
    }
}
