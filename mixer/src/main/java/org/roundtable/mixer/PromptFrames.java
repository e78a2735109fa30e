package org.roundtable.mixer;

/**
 * Turns 20 ms of an 8 kHz µ-law prompt into one frame of a call's codec (PCMU as it is; PCMA, G.722 or
 * Opus through 48 kHz). One per call. Thread: the caller's.
 */
public final class PromptFrames {
    private final AudioCodec.Kind kind;
    private final AudioCodec encoder;
    private final Resampler up = new Resampler(8000, false);
    private final short[] low = new short[160], pcm48 = new short[AudioCodec.FRAME];

    public PromptFrames(AudioCodec.Kind kind) {
        this.kind = kind;
        this.encoder = kind == AudioCodec.Kind.PCMU ? null : AudioCodec.encoder(kind, 5);
    }

    /** ulaw: 160 bytes from 'from' (past the end: silence). Returns the payload length written to out. */
    public int frame(byte[] ulaw, int from, byte[] out) {
        if (kind == AudioCodec.Kind.PCMU) {
            for (int i = 0; i < 160; i++) out[i] = from + i < ulaw.length ? ulaw[from + i] : (byte) 0xFF;
            return 160;
        }
        for (int i = 0; i < 160; i++) low[i] = from + i < ulaw.length ? G711.ulawToLinear(ulaw[from + i]) : 0;
        up.up(low, 160, pcm48);
        return encoder.encode(pcm48, out);
    }
}
