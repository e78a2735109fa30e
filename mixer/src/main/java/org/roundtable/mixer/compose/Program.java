package org.roundtable.mixer.compose;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.mixer.av.AacEncoder;
import org.roundtable.mixer.av.EncodedPacket;
import org.roundtable.mixer.av.H264Encoder;
import org.roundtable.mixer.av.Picture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A meeting's program: the composed picture and the meeting mix, encoded once (H.264 and AAC) for every
 * output that wants them (the recording files, the live stream's HLS and RTMP pushes). It keeps the one
 * time line they share: zero is the moment the first sound encoded was mixed; audio sample k is at
 * k / 48000 s, a picture at (its tick's time - sync delay - zero). Sound lost on the way (a stalled
 * composition overflowing its ring) becomes silence and a frame that would run ahead of the clock is
 * dropped, so pictures and sound stay on one clock. The video encoder runs only while some output wants
 * pictures; a new output asks for a key frame (the GOP restarts there) and starts at it.
 * An encoder error fails every output; an output's own error (a full disk) fails only that one.
 * Thread: the composition thread; not thread-safe.
 */
final class Program implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Program.class);

    /** An output fed with the program's packets. Composition thread. */
    interface Sink {
        /** Whether it takes pictures (false: a sound file). */
        boolean wantsVideo();
        /** The encoders' packets, lent for the call (reference or copy them to keep them). */
        void video(EncodedPacket p, Program program);
        void audio(EncodedPacket p, Program program);
        /** The program cannot go on (an encoder failed). */
        void fail(String reason);
        long durationMs();
        void close() throws Exception;
    }

    private final Composition.Config cfg;
    private final AacEncoder audio;
    private H264Encoder video;
    private final List<Sink> sinks = new ArrayList<>();
    private final short[] silence = new short[AudioCodec.FRAME];
    private final EncodedPacket.Sink toVideo = p -> { for (int i = 0; i < sinks.size(); i++) sinks.get(i).video(p, this); };
    private final EncodedPacket.Sink toAudio = p -> {
        keep(p);
        for (int i = 0; i < sinks.size(); i++) sinks.get(i).audio(p, this);
    };
    /** The last second of sound (references), for an output that starts at a picture: pictures lag the sound. */
    private final java.util.ArrayDeque<EncodedPacket> recentAudio = new java.util.ArrayDeque<>();
    private static final long RECENT_MICROS = 1_000_000;
    private long zeroNanos = -1, samples, lastVideoMicros = -1;
    long gapsFilled, framesDropped;
    /** Pictures encoded (once, whatever the number of outputs). */
    long pictures;
    private boolean failed;

    Program(Composition.Config cfg) throws IOException {
        this.cfg = cfg;
        this.audio = new AacEncoder(1, cfg.audioBitrate(), true);
    }

    /** The video encoder, started if it was not (an output that wants pictures is about to be added). */
    H264Encoder ensureVideo() throws IOException {
        if (video == null) {
            video = new H264Encoder(H264Encoder.Config.defaults().withSize(cfg.width(), cfg.height())
                    .withFps(cfg.fps()).withBitrate(cfg.videoBitrate()).withEncoder(cfg.encoder()));
            LOG.info("program video: {}x{} at {} fps, {}", cfg.width(), cfg.height(), cfg.fps(), video.encoderName());
        }
        return video;
    }

    /** Adds an output; it hears packets from the next ones (a picture output from the next key frame, asked for now). */
    void add(Sink s) throws IOException {
        if (s.wantsVideo()) ensureVideo().requestKeyFrame();
        sinks.add(s);
    }

    /** Removes an output (not closed here); see {@link #trim()}. */
    void remove(Sink s) { sinks.remove(s); }

    /** Stops the video encoder when no output wants pictures. */
    void trim() {
        if (video != null && sinks.stream().noneMatch(Sink::wantsVideo)) {
            video.close();
            video = null;
        }
    }

    boolean isEmpty() { return sinks.isEmpty(); }
    List<Sink> sinks() { return sinks; }
    /** Whether pictures are wanted (someone takes video): draw and encode them. */
    boolean wantsVideo() { return video != null && !failed; }
    H264Encoder videoEncoder() { return video; }
    AacEncoder audioEncoder() { return audio; }
    /** Asks the next picture to be a key frame (a live output reconnected). */
    void requestKeyFrame() { if (video != null) video.requestKeyFrame(); }

    /** 20 ms of the meeting mix, mixed at mixedAtNanos (System.nanoTime). */
    void audio(short[] pcm, long mixedAtNanos) {
        if (failed) return;
        if (zeroNanos < 0) zeroNanos = mixedAtNanos;
        long expected = (mixedAtNanos - zeroNanos) * 48 / 1_000_000;
        if (expected - samples > AudioCodec.FRAME * 3 / 2) {
            while (expected - samples > AudioCodec.FRAME && !failed) { encodeAudio(silence); gapsFilled++; }
        } else if (samples - expected > AudioCodec.FRAME * 3 / 2) {
            framesDropped++;
            return;
        }
        encodeAudio(pcm);
    }

    private void encodeAudio(short[] pcm) {
        try {
            audio.encode(pcm, AudioCodec.FRAME, samples * 1_000_000L / 48_000, toAudio);
            samples += AudioCodec.FRAME;
        } catch (IOException | RuntimeException e) {
            fail("the audio encoder failed: " + e.getMessage());
        }
    }

    /** A picture of what the mix held at shownNanos (the tick's time less the sync delay). */
    void video(Picture p, long shownNanos) {
        if (failed || video == null || zeroNanos < 0) return;
        long us = (shownNanos - zeroNanos) / 1000;
        if (us < 0 || us <= lastVideoMicros) return;
        try {
            video.encode(p, us, toVideo);
            lastVideoMicros = us;
            pictures++;
        } catch (IOException | RuntimeException e) {
            fail("the video encoder failed: " + e.getMessage());
        }
    }

    private void keep(EncodedPacket p) {
        recentAudio.add(p.retain());
        while (p.ptsMicros() - recentAudio.peek().ptsMicros() > RECENT_MICROS) recentAudio.poll().release();
    }

    /**
     * Where a file that starts with the picture shown at pictureMicros should put its zero: at the start
     * of the sound packet playing then (so the file's sound starts at exactly zero, as MP4 players like
     * it, and its first picture a few milliseconds after), or at the picture if no sound is kept.
     */
    long soundStartAtOrBefore(long pictureMicros) {
        long at = pictureMicros;
        for (EncodedPacket a : recentAudio) if (a.ptsMicros() <= pictureMicros) at = a.ptsMicros();
        return at;
    }

    /** Hands an output starting at a picture shown at fromMicros the sound it missed from that moment on. */
    void replayAudio(long fromMicros, EncodedPacket.Sink to) throws java.io.IOException {
        for (EncodedPacket a : recentAudio) if (a.ptsMicros() >= fromMicros) to.accept(a);
    }

    private void fail(String reason) {
        if (failed) return;
        failed = true;
        LOG.warn("program stopped: {}", reason);
        for (Sink s : List.copyOf(sinks)) s.fail(reason);
    }

    @Override public void close() {
        if (gapsFilled > 0 || framesDropped > 0)
            LOG.info("program: {} ms of sound lost on the way filled with silence, {} frames ahead of the clock dropped",
                    gapsFilled * 20, framesDropped);
        if (video != null) video.close();
        video = null;
        audio.close();
        for (EncodedPacket a; (a = recentAudio.poll()) != null; ) a.release();
    }
}
