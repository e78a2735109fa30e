package org.roundtable.mixer.av;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_close;
import static org.bytedeco.ffmpeg.global.avformat.avio_flush;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avformat.avio_tell;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a recording: the {@link H264Encoder}'s video and the {@link AacEncoder}'s audio (either may be
 * absent: an audio-only meeting gives an MP4 with one AAC track; name it {@code .m4a} for the iPod
 * brand), muxed by FFmpeg's MP4 muxer, packets interleaved by time stamp.
 *
 * <p>Crash safety: the file is written with {@code movflags=hybrid_fragmented}: while recording it is a
 * fragmented MP4 ({@code moof}+{@code mdat} pairs, a fragment cut at least every second whatever the GOP)
 * and each fragment is pushed to the kernel as soon as the muxer cuts it, so a killed process, a
 * crashed JVM or a lost node leaves a playable file missing only the fragment in progress (at most
 * about a second). {@link #close()} turns it into an ordinary, seekable MP4 in place (one {@code moov}).
 * Power loss is another matter (no fsync per fragment).
 *
 * <p>Errors: any failed write (a full disk, a vanished volume) throws an {@link AvException} and leaves
 * the writer failed; later writes throw at once, and {@code close()} then skips the rewrite (the file
 * stays the fragmented one, readable up to its last whole fragment) and frees everything. The writer
 * owns the encoders it is given and closes them (also when its constructor throws).
 * Thread: the composition thread; not thread-safe.
 */
public final class Mp4Writer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Mp4Writer.class);
    /** The longest fragment, microseconds (a kill loses at most about this much). */
    public static final int FRAGMENT_MICROS = 1_000_000;

    private final Path file;
    private final H264Encoder video;
    private final AacEncoder audio;
    private AVFormatContext oc;
    private AVStream videoStream, audioStream;
    private final EncodedPacket.Sink videoSink = p -> mux(p, videoStream);
    private final EncodedPacket.Sink audioSink = p -> mux(p, audioStream);
    private AvException failure;
    private long videoPackets, audioPackets;

    public Mp4Writer(Path file, H264Encoder video, AacEncoder audio) throws IOException {
        if (video == null && audio == null) throw new IllegalArgumentException("neither video nor audio");
        AvLibrary.ensureLoaded();
        this.file = file;
        this.video = video;
        this.audio = audio;
        String path = file.toAbsolutePath().toString();
        String format = path.endsWith(".m4a") ? "ipod" : "mp4";
        AVFormatContext ctx = new AVFormatContext(null);
        AvLibrary.check(avformat_alloc_output_context2(ctx, null, format, path), "avformat_alloc_output_context2");
        oc = ctx;
        try {
            if (video != null) videoStream = addStream(video.context(), H264Encoder.TIME_BASE);
            if (audio != null) audioStream = addStream(audio.context(), AacEncoder.SAMPLE_RATE);
            oc.max_interleave_delta(FRAGMENT_MICROS);   // a stalled track must not hold the other's packets in memory
            AVIOContext pb = new AVIOContext(null);
            AvLibrary.check(avio_open(pb, path, AVIO_FLAG_WRITE), "open " + path);
            oc.pb(pb);
            AVDictionary opts = new AVDictionary(null);
            av_dict_set(opts, "movflags", "hybrid_fragmented", 0);
            av_dict_set(opts, "frag_duration", Integer.toString(FRAGMENT_MICROS), 0);
            int ret = avformat_write_header(oc, opts);
            av_dict_free(opts);
            AvLibrary.check(ret, "write header " + path);   // still in avio's buffer: the first write flushes it
        } catch (IOException | RuntimeException e) {
            release();
            throw e;
        }
    }

    private AVStream addStream(AVCodecContext codec, int timescale) throws AvException {
        AVStream st = avformat_new_stream(oc, null);
        if (st == null) throw new OutOfMemoryError("avformat_new_stream");
        AvLibrary.check(avcodec_parameters_from_context(st.codecpar(), codec), "avcodec_parameters_from_context");
        st.time_base(av_make_q(1, timescale));
        return st;
    }

    public Path file() { return file; }
    /** Bytes handed to the file so far. */
    public long bytesWritten() { return oc == null || oc.pb() == null ? 0 : avio_tell(oc.pb()); }
    public long videoPackets() { return videoPackets; }
    public long audioPackets() { return audioPackets; }
    /** The write error that stopped this recording, or {@code null}. */
    public AvException failure() { return failure; }

    /** Encodes and writes one composed picture shown at {@code ptsMicros} on the recording's clock. */
    public void writeVideo(Picture picture, long ptsMicros) throws IOException {
        if (video == null) throw new IllegalStateException("no video track");
        ready();
        guard(() -> video.encode(picture, ptsMicros, videoSink));
    }

    /** Encodes and writes mixed audio (see {@link AacEncoder#encode}) that starts at {@code ptsMicros}. */
    public void writeAudio(short[] pcm, int samplesPerChannel, long ptsMicros) throws IOException {
        if (audio == null) throw new IllegalStateException("no audio track");
        ready();
        guard(() -> audio.encode(pcm, samplesPerChannel, ptsMicros, audioSink));
    }

    private interface Io { void run() throws IOException; }

    private void guard(Io io) throws IOException {
        try {
            io.run();
        } catch (AvException e) {
            if (failure == null) failure = e;
            throw e;
        }
    }

    private void ready() throws AvException {
        if (oc == null) throw new IllegalStateException("closed");
        if (failure != null) throw failure;
    }

    private void mux(EncodedPacket p, AVStream st) throws AvException {
        p.packet.stream_index(st.index());
        av_packet_rescale_ts(p.packet, p.timeBase, st.time_base());
        if (st == videoStream) videoPackets++; else audioPackets++;
        AvLibrary.check(av_interleaved_write_frame(oc, p.packet), "write " + file);
        flushToKernel();
    }

    /** Pushes what the muxer has written (a finished fragment) out of avio's buffer, into the file. */
    private void flushToKernel() throws AvException {
        AVIOContext pb = oc.pb();
        avio_flush(pb);
        if (pb.error() < 0) throw new AvException("write " + file, pb.error());
    }

    /**
     * Drains the encoders, writes the index and rewrites the file as an ordinary MP4, then frees all.
     * After a write error only frees (the fragmented file is left as it is).
     */
    @Override public void close() throws IOException {
        if (oc == null) return;
        AvException error = failure;
        try {
            if (error == null) {
                if (video != null) video.flush(videoSink);
                if (audio != null) audio.flush(audioSink);
                AvLibrary.check(av_write_trailer(oc), "finish " + file);
                flushToKernel();
            } else {
                LOG.warn("recording {} failed ({}); left as a fragmented MP4", file, error.getMessage());
            }
        } catch (AvException e) {
            error = e;
        } finally {
            release();
        }
        if (error != null && error != failure) throw error;
    }

    private void release() {
        if (oc != null) {
            AVIOContext pb = oc.pb();
            if (pb != null) {
                oc.pb(null);
                avio_close(pb);
            }
            avformat_free_context(oc);
            oc = null;
        }
        if (video != null) video.close();
        if (audio != null) audio.close();
    }
}
