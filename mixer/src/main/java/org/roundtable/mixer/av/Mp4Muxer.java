package org.roundtable.mixer.av;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_ref;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
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
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;

/**
 * Muxes already-encoded H.264 and AAC packets into an MP4 file (FFmpeg's MP4 muxer), one or both
 * tracks (audio alone: name the file {@code .m4a} for the iPod brand). It takes the encoders' codec
 * parameters but neither owns nor drives them: one encode can feed several files (and the live
 * outputs), each file shifting the shared time line by its own offset so that it starts at zero.
 * Packets are referenced, not copied, and never modified (the next output sees them as they were).
 *
 * <p>Crash safety: {@code movflags=hybrid_fragmented}: while recording the file is a fragmented MP4
 * ({@code moof}+{@code mdat}, a fragment cut at least every second whatever the GOP), each fragment
 * pushed to the kernel as soon as the muxer cuts it, so a killed process or a crashed JVM leaves a
 * playable file missing only the fragment in progress (about a second at most). {@link #close()} turns
 * it into an ordinary, seekable MP4 in place. Power loss is another matter (no fsync per fragment).
 *
 * <p>Errors: a failed write (a full disk, a vanished volume) throws an {@link AvException} and leaves
 * the muxer failed; later writes throw it again, and {@code close()} then only frees (the fragmented
 * file stays, readable up to its last whole fragment).
 * Thread: the composition thread; not thread-safe.
 */
public final class Mp4Muxer implements AutoCloseable {
    /** The longest fragment, microseconds (a kill loses at most about this much). */
    public static final int FRAGMENT_MICROS = 1_000_000;

    private final Path file;
    private AVFormatContext oc;
    private AVStream videoStream, audioStream;
    private final AVPacket scratch = av_packet_alloc();
    private boolean freed;
    private AvException failure;
    private long videoPackets, audioPackets;

    /** A file with the tracks of the given encoders (either may be null, not both). */
    public Mp4Muxer(Path file, H264Encoder video, AacEncoder audio) throws IOException {
        if (video == null && audio == null) throw new IllegalArgumentException("neither video nor audio");
        AvLibrary.ensureLoaded();
        this.file = file;
        String path = file.toAbsolutePath().toString();
        String format = path.endsWith(".m4a") ? "ipod" : "mp4";
        AVFormatContext ctx = new AVFormatContext(null);
        try {
            AvLibrary.check(avformat_alloc_output_context2(ctx, null, format, path), "avformat_alloc_output_context2");
            oc = ctx;
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
    public boolean hasVideo() { return videoStream != null; }
    /** Bytes handed to the file so far. */
    public long bytesWritten() { return oc == null || oc.pb() == null ? 0 : avio_tell(oc.pb()); }
    public long videoPackets() { return videoPackets; }
    public long audioPackets() { return audioPackets; }
    /** The write error that stopped this file, or {@code null}. */
    public AvException failure() { return failure; }

    /**
     * Writes one encoded packet of the video (or audio) track, its time stamps less {@code offsetMicros}
     * (where this file's zero is on the encoder's time line).
     */
    public void write(EncodedPacket p, boolean video, long offsetMicros) throws AvException {
        if (oc == null) throw new IllegalStateException("closed");
        if (failure != null) throw failure;
        AVStream st = video ? videoStream : audioStream;
        if (st == null) throw new IllegalStateException(video ? "no video track" : "no audio track");
        try {
            AvLibrary.check(av_packet_ref(scratch, p.packet), "av_packet_ref");
            long shift = offsetMicros * p.timeBase.den() / (1_000_000L * p.timeBase.num());
            scratch.pts(scratch.pts() - shift).dts(scratch.dts() - shift);
            scratch.stream_index(st.index());
            av_packet_rescale_ts(scratch, p.timeBase, st.time_base());
            if (video) videoPackets++; else audioPackets++;
            AvLibrary.check(av_interleaved_write_frame(oc, scratch), "write " + file);   // takes the reference
            flushToKernel();
        } catch (AvException e) {
            av_packet_unref(scratch);
            failure = e;
            throw e;
        }
    }

    /** Pushes what the muxer has written (a finished fragment) out of avio's buffer, into the file. */
    private void flushToKernel() throws AvException {
        AVIOContext pb = oc.pb();
        avio_flush(pb);
        if (pb.error() < 0) throw new AvException("write " + file, pb.error());
    }

    /**
     * Writes the index and rewrites the file as an ordinary MP4, then frees all; after a write error
     * only frees (the fragmented file is left as it is, and that error is not thrown again).
     */
    @Override public void close() throws AvException {
        if (oc == null) return;
        AvException error = null;
        try {
            if (failure == null) {
                AvLibrary.check(av_write_trailer(oc), "finish " + file);
                flushToKernel();
            }
        } catch (AvException e) {
            error = e;
        } finally {
            release();
        }
        if (error != null) throw error;
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
        if (!freed) { freed = true; av_packet_free(scratch); }
    }
}
