package org.roundtable.mixer.compose;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.mixer.av.AacEncoder;
import org.roundtable.mixer.av.Canvas;
import org.roundtable.mixer.av.H264Encoder;
import org.roundtable.mixer.av.Mp4Writer;
import org.roundtable.mixer.av.Picture;
import org.roundtable.mixer.video.Layout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws the layout into the canvas and writes it, with the mix, to the outputs: each tile's last decoded
 * picture scaled in (aspect kept) with the member's name under it, members without video as name
 * tiles. One time line per output, its zero the moment the first sound written was mixed: audio sample
 * k is at k / 48000 s; the picture of a tick at (tick time - sync delay - zero), so the pictures each
 * tile shows (held until their sound was mixed, see VideoInput) meet their sound; a tick a busy machine
 * skipped leaves the previous picture on screen longer, never a shorter film.
 * Thread: the composition thread; not thread-safe.
 */
final class Renderer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Renderer.class);
    private final Composition.Config cfg;
    private final Canvas canvas;
    private final short[] silence = new short[AudioCodec.FRAME];

    /** A tile's source for the layout and the input that shows it (null: a name tile). */
    record Cell(Layout.Source source, VideoInput input) {}

    Renderer(Composition.Config cfg) {
        this.cfg = cfg;
        this.canvas = new Canvas(cfg.width(), cfg.height());
    }

    /** Composes one picture. */
    void draw(List<Cell> cells) {
        canvas.clear();
        if (cells.isEmpty()) return;
        List<Layout.Source> sources = new ArrayList<>(cells.size());
        Map<String, Cell> byId = new HashMap<>();
        for (Cell c : cells) { sources.add(c.source()); byId.put(c.source().id(), c); }
        for (Layout.Tile t : Layout.compute(cfg.width(), cfg.height(), cfg.mode(), sources)) {
            Cell c = byId.get(t.id());
            if (c == null) continue;
            String name = c.source().name();
            Picture p = c.input() == null ? null : c.input().picture();
            if (p == null) {
                canvas.nameTile(name, t.x(), t.y(), t.w(), t.h());
                continue;
            }
            canvas.draw(p, t.x(), t.y(), t.w(), t.h());
            int lh = Math.max(14, Math.min(40, t.h() / 9)) & ~1;
            if (t.h() > 3 * lh) canvas.label(c.source().content() ? name + " (screen)" : name, t.x(), t.y() + t.h() - lh, t.w(), lh);
        }
    }

    /** Opens an MP4 (audioOnly: AAC alone, an .m4a) with its own encoders; written from the next tick. */
    Composition.Writer open(Path file, boolean audioOnly, Consumer<String> onFailure) throws IOException {
        H264Encoder video = audioOnly ? null : new H264Encoder(H264Encoder.Config.defaults().withSize(cfg.width(), cfg.height())
                .withFps(cfg.fps()).withBitrate(cfg.videoBitrate()).withEncoder(cfg.encoder()));
        AacEncoder audio;
        try {
            audio = new AacEncoder(1, cfg.audioBitrate(), true);
        } catch (IOException | RuntimeException e) {
            if (video != null) video.close();
            throw e;
        }
        Mp4Writer mp4 = new Mp4Writer(file, video, audio);
        LOG.info("recording to {} ({}{}x{} at {} fps, {})", file, audioOnly ? "audio only, " : "", cfg.width(), cfg.height(), cfg.fps(),
                video != null ? video.encoderName() : "aac");
        return new FileOutput(mp4, audioOnly, onFailure);
    }

    private final class FileOutput implements Composition.Writer {
        final Mp4Writer mp4;
        final boolean audioOnly;
        final Consumer<String> onFailure;
        long frames, samples, lastVideoMicros = -1, gapsFilled, framesDropped;
        /** The time line's zero: when the first sound written was mixed (System.nanoTime); -1 before. */
        long zeroNanos = -1;
        boolean failed, closed;

        FileOutput(Mp4Writer mp4, boolean audioOnly, Consumer<String> onFailure) {
            this.mp4 = mp4;
            this.audioOnly = audioOnly;
            this.onFailure = onFailure;
        }

        /** A picture of what the mix held at shownNanos (the tick's time less the sync delay). */
        void video(Picture p, long shownNanos) {
            if (failed || audioOnly || zeroNanos < 0) return;
            long us = (shownNanos - zeroNanos) / 1000;
            if (us < 0 || us <= lastVideoMicros) return;
            try {
                mp4.writeVideo(p, us);
                frames++;
                lastVideoMicros = us;
            } catch (IOException | RuntimeException e) {
                fail(reason(e));
            }
        }

        void audio(short[] pcm, long mixedAtNanos) {
            if (failed) return;
            if (zeroNanos < 0) zeroNanos = mixedAtNanos;
            // the sound stays on the clock its pictures use: frames lost on the way (a stalled composition
            // overflowing its ring) become silence, and a frame that would run ahead of the clock is dropped
            long expected = (mixedAtNanos - zeroNanos) * 48 / 1_000_000;
            if (expected - samples > AudioCodec.FRAME * 3 / 2) {
                while (expected - samples > AudioCodec.FRAME && !failed) { write(silence); gapsFilled++; }
            } else if (samples - expected > AudioCodec.FRAME * 3 / 2) {
                framesDropped++;
                return;
            }
            write(pcm);
        }

        private void write(short[] pcm) {
            try {
                mp4.writeAudio(pcm, AudioCodec.FRAME, samples * 1_000_000L / 48_000);
                samples += AudioCodec.FRAME;
            } catch (IOException | RuntimeException e) {
                fail(reason(e));
            }
        }

        @Override public long durationMs() { return Math.max(lastVideoMicros < 0 ? 0 : lastVideoMicros / 1000 + 1000L / cfg.fps(), samples / 48); }

        @Override public void fail(String reason) {
            if (failed) return;
            failed = true;
            LOG.warn("recording to {} stopped: {}", mp4.file(), reason);
            try { onFailure.accept(reason); } catch (RuntimeException e) { LOG.warn("failure listener", e); }
        }

        @Override public void close() throws IOException {
            if (closed) return;
            closed = true;
            if (gapsFilled > 0 || framesDropped > 0)
                LOG.info("recording to {}: {} ms of sound lost on the way filled with silence, {} frames ahead of the clock dropped",
                        mp4.file(), gapsFilled * 20, framesDropped);
            mp4.close();
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        if (m != null && (m.contains("No space") || m.contains("ENOSPC"))) return "the disk is full";
        return m == null ? e.toString() : m;
    }

    void encodeVideo(List<Composition.Writer> outs, long shownNanos) {
        for (Composition.Writer w : outs) ((FileOutput) w).video(canvas.picture(), shownNanos);
    }

    void encodeAudio(short[] pcm, long mixedAtNanos, List<Composition.Writer> outs) {
        for (Composition.Writer w : outs) ((FileOutput) w).audio(pcm, mixedAtNanos);
    }



    @Override public void close() { canvas.close(); }
}
