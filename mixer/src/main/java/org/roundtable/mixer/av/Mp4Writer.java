package org.roundtable.mixer.av;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A recording with encoders of its own: pictures and PCM in, an MP4 out (an {@link Mp4Muxer} fed by the
 * {@link H264Encoder} and {@link AacEncoder} it is given, either of which may be absent: audio alone
 * gives an {@code .m4a}). For a single file made from raw media (tools, tests, benchmarks); a meeting's
 * composition encodes once for all its files and streams and gives each its own muxer instead. Crash
 * safety and errors are the muxer's: see {@link Mp4Muxer}. The writer owns the encoders and closes them
 * (also when its constructor throws). Thread: one thread at a time; not thread-safe.
 */
public final class Mp4Writer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Mp4Writer.class);
    /** The longest fragment, microseconds (a kill loses at most about this much). */
    public static final int FRAGMENT_MICROS = Mp4Muxer.FRAGMENT_MICROS;

    private final H264Encoder video;
    private final AacEncoder audio;
    private final Mp4Muxer mux;
    private final EncodedPacket.Sink videoSink, audioSink;
    private AvException failure;

    public Mp4Writer(Path file, H264Encoder video, AacEncoder audio) throws IOException {
        this.video = video;
        this.audio = audio;
        try {
            mux = new Mp4Muxer(file, video, audio);
        } catch (IOException | RuntimeException e) {
            if (video != null) video.close();
            if (audio != null) audio.close();
            throw e;
        }
        videoSink = p -> mux.write(p, true, 0);
        audioSink = p -> mux.write(p, false, 0);
    }

    public Path file() { return mux.file(); }
    /** Bytes handed to the file so far. */
    public long bytesWritten() { return mux.bytesWritten(); }
    public long videoPackets() { return mux.videoPackets(); }
    public long audioPackets() { return mux.audioPackets(); }
    /** The error that stopped this recording, or {@code null}. */
    public AvException failure() { return failure != null ? failure : mux.failure(); }

    /** Encodes and writes one picture shown at {@code ptsMicros}. */
    public void writeVideo(Picture picture, long ptsMicros) throws IOException {
        if (video == null) throw new IllegalStateException("no video track");
        guard(() -> video.encode(picture, ptsMicros, videoSink));
    }

    /** Encodes and writes PCM (see {@link AacEncoder#encode}) that starts at {@code ptsMicros}. */
    public void writeAudio(short[] pcm, int samplesPerChannel, long ptsMicros) throws IOException {
        if (audio == null) throw new IllegalStateException("no audio track");
        guard(() -> audio.encode(pcm, samplesPerChannel, ptsMicros, audioSink));
    }

    private interface Io { void run() throws IOException; }

    private void guard(Io io) throws IOException {
        AvException f = failure();
        if (f != null) throw f;
        try {
            io.run();
        } catch (AvException e) {
            if (failure == null) failure = e;
            throw e;
        }
    }

    /** Drains the encoders, finalises the file, closes the encoders. After an error only frees. */
    @Override public void close() throws IOException {
        AvException error = null;
        try {
            if (failure() == null) {
                if (video != null) video.flush(videoSink);
                if (audio != null) audio.flush(audioSink);
            } else {
                LOG.warn("recording {} failed ({}); left as a fragmented MP4", mux.file(), failure().getMessage());
            }
        } catch (AvException e) {
            error = e;
        }
        try {
            mux.close();
        } catch (AvException e) {
            if (error == null) error = e;
        } finally {
            if (video != null) video.close();
            if (audio != null) audio.close();
        }
        if (error != null) throw error;
    }
}
