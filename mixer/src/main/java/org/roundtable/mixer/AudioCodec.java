package org.roundtable.mixer;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import io.github.jaredmdobson.concentus.OpusSignal;

/**
 * One direction of one codec for 20 ms frames, always 48 kHz mono PCM on the mixer's side: Opus
 * (Concentus), PCMU and PCMA (G.711 at 8 kHz, resampled). Stateful: one instance per stream.
 * Thread: the mixer tick only.
 */
public interface AudioCodec {
    int FRAME = 960; // 20 ms at 48 kHz

    enum Kind {
        OPUS(111, 48000), PCMU(0, 8000), PCMA(8, 8000), G722(9, 8000);  // G.722 samples at 16 kHz; its RTP clock is 8000 (RFC 3551)
        public final int defaultPt, clockRate;
        Kind(int pt, int clock) { defaultPt = pt; clockRate = clock; }
        /** RTP timestamp units per 20 ms frame. */
        public int frameTicks() { return clockRate / 50; }
    }

    Kind kind();

    /** Decodes a payload (null: lost, conceal) into FRAME samples at 48 kHz; returns FRAME. */
    int decode(byte[] payload, int off, int len, short[] pcm48);

    /** Encodes FRAME samples at 48 kHz; returns the payload length. */
    int encode(short[] pcm48, byte[] out);

    static AudioCodec decoder(Kind k) { return create(k, 5); }
    static AudioCodec encoder(Kind k, int opusComplexity) { return create(k, opusComplexity); }

    private static AudioCodec create(Kind k, int complexity) {
        return switch (k) {
            case OPUS -> new Opus(complexity);
            case G722 -> new G722Codec();
            default -> new G711Codec(k);
        };
    }

    /** Opus via Concentus, mono, VoIP mode. */
    final class Opus implements AudioCodec {
        private OpusDecoder dec;
        private OpusEncoder enc;
        private final int complexity;

        Opus(int complexity) { this.complexity = complexity; }

        @Override public Kind kind() { return Kind.OPUS; }

        @Override public int decode(byte[] p, int off, int len, short[] pcm) {
            try {
                if (dec == null) dec = new OpusDecoder(48000, 1);
                int n = p == null ? dec.decode(null, 0, 0, pcm, 0, FRAME, false) : dec.decode(p, off, len, pcm, 0, FRAME, false);
                if (n < FRAME) java.util.Arrays.fill(pcm, Math.max(0, n), FRAME, (short) 0);
            } catch (OpusException | RuntimeException e) {
                java.util.Arrays.fill(pcm, 0, FRAME, (short) 0); // a corrupt packet is silence, never a crash
            }
            return FRAME;
        }

        @Override public int encode(short[] pcm, byte[] out) {
            try {
                if (enc == null) {
                    enc = new OpusEncoder(48000, 1, OpusApplication.OPUS_APPLICATION_VOIP);
                    enc.setComplexity(complexity);
                    enc.setBitrate(32000);
                    enc.setSignalType(OpusSignal.OPUS_SIGNAL_VOICE);
                }
                return enc.encode(pcm, 0, FRAME, out, 0, out.length);
            } catch (OpusException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** G.722 (wideband, 16 kHz), resampled to and from 48 kHz. */
    final class G722Codec implements AudioCodec {
        private final org.roundtable.mixer.G722 dec = new org.roundtable.mixer.G722(), enc = new org.roundtable.mixer.G722();
        private final Resampler up = new Resampler(16000, false), down = new Resampler(16000, true);
        private final short[] wide = new short[320];

        @Override public Kind kind() { return Kind.G722; }

        @Override public int decode(byte[] p, int off, int len, short[] pcm) {
            int n = p == null ? 0 : dec.decode(p, off, Math.min(len, 160), wide);
            for (int i = n; i < 320; i++) wide[i] = 0;
            up.up(wide, 320, pcm);
            return FRAME;
        }

        @Override public int encode(short[] pcm, byte[] out) {
            down.down(pcm, FRAME, wide);
            return enc.encode(wide, 320, out);
        }
    }

    /** G.711 at 8 kHz, resampled to and from 48 kHz. */
    final class G711Codec implements AudioCodec {
        private final Kind kind;
        private final Resampler up = new Resampler(8000, false), down = new Resampler(8000, true);
        private final short[] low = new short[160];

        G711Codec(Kind k) { this.kind = k; }

        @Override public Kind kind() { return kind; }

        @Override public int decode(byte[] p, int off, int len, short[] pcm) {
            int n = p == null ? 0 : Math.min(len, 160);
            for (int i = 0; i < n; i++) low[i] = kind == Kind.PCMU ? G711.ulawToLinear(p[off + i]) : G711.alawToLinear(p[off + i]);
            for (int i = n; i < 160; i++) low[i] = 0;
            up.up(low, 160, pcm);
            return FRAME;
        }

        @Override public int encode(short[] pcm, byte[] out) {
            down.down(pcm, FRAME, low);
            for (int i = 0; i < 160; i++) out[i] = kind == Kind.PCMU ? G711.linearToUlaw(low[i]) : G711.linearToAlaw(low[i]);
            return 160;
        }
    }
}
