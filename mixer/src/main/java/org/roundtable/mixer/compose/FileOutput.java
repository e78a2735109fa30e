package org.roundtable.mixer.compose;

import java.util.function.Consumer;
import org.roundtable.mixer.av.AvException;
import org.roundtable.mixer.av.EncodedPacket;
import org.roundtable.mixer.av.Mp4Muxer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A recording file fed by the program: it starts at the first key frame after it opened (the program
 * forces one), so with a whole picture, its zero the start of the sound packet playing then; the sound of that moment, encoded already (the
 * pictures lag the sound by the sync delay), is replayed by the program from the same zero, so the file
 * starts with sound too. A sound file (no video) starts at the next audio packet. A write error
 * (a full disk) stops this file alone and tells onFailure why. Thread: the composition thread.
 */
final class FileOutput implements Program.Sink {
    private static final Logger LOG = LoggerFactory.getLogger(FileOutput.class);

    private final Mp4Muxer mux;
    private final Consumer<String> onFailure;
    private final int fps;
    private long zeroMicros = Long.MIN_VALUE, lastVideoMicros = -1, lastAudioMicros = -1;
    private boolean failed, closed;

    FileOutput(Mp4Muxer mux, int fps, Consumer<String> onFailure) {
        this.mux = mux;
        this.fps = fps;
        this.onFailure = onFailure;
    }

    @Override public boolean wantsVideo() { return mux.hasVideo(); }

    @Override public void video(EncodedPacket p, Program program) {
        if (failed || !mux.hasVideo()) return;
        if (zeroMicros == Long.MIN_VALUE) {
            if (!p.isKey()) return;
            zeroMicros = program.soundStartAtOrBefore(p.ptsMicros());
            try {
                program.replayAudio(zeroMicros, this::writeAudio);
            } catch (java.io.IOException e) {
                fail(reason(e));
            }
        }
        try {
            mux.write(p, true, zeroMicros);
            lastVideoMicros = p.ptsMicros() - zeroMicros;
        } catch (AvException | RuntimeException e) {
            fail(reason(e));
        }
    }

    @Override public void audio(EncodedPacket p, Program program) {
        if (failed) return;
        if (zeroMicros == Long.MIN_VALUE) {
            if (mux.hasVideo()) return;          // before the first picture: the program replays it then
            zeroMicros = p.ptsMicros();
        }
        if (p.ptsMicros() < zeroMicros) return;
        writeAudio(p);
    }

    private void writeAudio(EncodedPacket p) {
        if (failed) return;
        try {
            mux.write(p, false, zeroMicros);
            lastAudioMicros = p.ptsMicros() - zeroMicros;
        } catch (AvException | RuntimeException e) {
            fail(reason(e));
        }
    }

    @Override public long durationMs() {
        long v = lastVideoMicros < 0 ? 0 : lastVideoMicros / 1000 + 1000L / fps;
        long a = lastAudioMicros < 0 ? 0 : lastAudioMicros / 1000 + 21;
        return Math.max(v, a);
    }

    @Override public void fail(String reason) {
        if (failed) return;
        failed = true;
        LOG.warn("recording to {} stopped: {}", mux.file(), reason);
        try { onFailure.accept(reason); } catch (RuntimeException e) { LOG.warn("failure listener", e); }
    }

    @Override public void close() throws AvException {
        if (closed) return;
        closed = true;
        mux.close();
    }

    static String reason(Exception e) {
        String m = e.getMessage();
        if (m != null && (m.contains("No space") || m.contains("ENOSPC"))) return "the disk is full";
        return m == null ? e.toString() : m;
    }
}
