package org.roundtable.mixer.av;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import java.io.IOException;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Encodes the audio mix (48 kHz, 16-bit, mono or interleaved stereo, in the mixer's 20 ms chunks of 960
 * samples) to AAC-LC with FFmpeg's own {@code aac} encoder: samples are converted to planar float and
 * buffered into its 1024-sample frames. Time stamps: the first chunk's presentation time (microseconds)
 * anchors the track; after that, samples follow each other. If the caller's clock runs more than
 * 100 ms ahead of the samples given (the mix stalled), the partial frame is padded with silence and the
 * track jumps to the caller's time, so audio stays in step with video.
 * Thread: the composition thread; not thread-safe.
 */
public final class AacEncoder implements AutoCloseable {
    public static final int SAMPLE_RATE = 48_000;
    private static final int EAGAIN = -11;
    private static final long MAX_LAG_SAMPLES = SAMPLE_RATE / 10;
    private final int channels;
    private AVCodecContext ctx;
    private final AVFrame frame;
    private final AVPacket packet;
    private final EncodedPacket view;
    private final int frameSize;
    private final float[][] buffer;
    private final FloatPointer[] planeViews;
    private int filled;
    private long nextPts = Long.MIN_VALUE;

    /** Mono or stereo at 96 or 128 kbit/s, global header (for MP4). */
    public AacEncoder(int channels) throws AvException { this(channels, channels == 1 ? 96_000 : 128_000, true); }

    public AacEncoder(int channels, int bitrate, boolean globalHeader) throws AvException {
        if (channels != 1 && channels != 2) throw new IllegalArgumentException("mono or stereo: " + channels);
        AvLibrary.ensureLoaded();
        this.channels = channels;
        AVCodec codec = avcodec_find_encoder_by_name("aac");
        if (codec == null) throw new AvException("no aac encoder in this FFmpeg", -1);
        AVCodecContext c = avcodec_alloc_context3(codec);
        if (c == null) throw new OutOfMemoryError("avcodec_alloc_context3");
        c.sample_fmt(AV_SAMPLE_FMT_FLTP).sample_rate(SAMPLE_RATE).bit_rate(bitrate);
        c.time_base(av_make_q(1, SAMPLE_RATE));
        av_channel_layout_default(c.ch_layout(), channels);
        if (globalHeader) c.flags(c.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        int ret = avcodec_open2(c, codec, (AVDictionary) null);
        if (ret < 0) {
            avcodec_free_context(c);
            throw new AvException("avcodec_open2 aac", ret);
        }
        ctx = c;
        frameSize = c.frame_size();
        frame = av_frame_alloc();
        frame.format(AV_SAMPLE_FMT_FLTP).sample_rate(SAMPLE_RATE).nb_samples(frameSize);
        av_channel_layout_copy(frame.ch_layout(), c.ch_layout());
        AvLibrary.check(av_frame_get_buffer(frame, 0), "av_frame_get_buffer");
        buffer = new float[channels][frameSize];
        planeViews = new FloatPointer[channels];
        packet = av_packet_alloc();
        view = new EncodedPacket(packet, ctx.time_base());
    }

    public int channels() { return channels; }
    /** Samples per channel in one AAC frame (1024). */
    public int frameSize() { return frameSize; }
    AVCodecContext context() { return ctx; }
    /** The AudioSpecificConfig (the global header). */
    public byte[] extradata() { return AvLibrary.extradata(ctx); }

    /**
     * Adds {@code samples} samples per channel ({@code samples * channels} shorts, interleaved) that
     * start at {@code ptsMicros}; complete AAC frames are encoded and their packets go to {@code sink}.
     */
    public void encode(short[] pcm, int samples, long ptsMicros, EncodedPacket.Sink sink) throws IOException {
        if (ctx == null) throw new IllegalStateException("closed");
        long pts = ptsMicros * SAMPLE_RATE / 1_000_000;
        if (nextPts == Long.MIN_VALUE) {
            nextPts = pts;
        } else if (pts - nextPts > MAX_LAG_SAMPLES) {
            if (filled > 0) { padSilence(); send(frameSize, sink); }
            nextPts = pts;
        }
        for (int i = 0; i < samples; i++) {
            for (int ch = 0; ch < channels; ch++) buffer[ch][filled] = pcm[i * channels + ch] / 32768f;
            filled++;
            nextPts++;
            if (filled == frameSize) send(frameSize, sink);
        }
    }

    private void padSilence() {
        int n = frameSize - filled;
        for (int ch = 0; ch < channels; ch++) java.util.Arrays.fill(buffer[ch], filled, frameSize, 0f);
        filled = frameSize;
        nextPts += n;
    }

    private void send(int n, EncodedPacket.Sink sink) throws IOException {
        AvLibrary.check(av_frame_make_writable(frame), "av_frame_make_writable");
        for (int ch = 0; ch < channels; ch++) {
            if (planeViews[ch] == null || planeViews[ch].address() != frame.data(ch).address()) {
                planeViews[ch] = new FloatPointer(frame.data(ch));
            }
            planeViews[ch].put(buffer[ch], 0, n);
        }
        frame.nb_samples(n).pts(nextPts - filled);
        filled = 0;
        AvLibrary.check(avcodec_send_frame(ctx, frame), "avcodec_send_frame aac");
        drain(sink);
    }

    /** Encodes what is buffered (a short last frame) and drains the encoder, at the end of a recording. */
    public void flush(EncodedPacket.Sink sink) throws IOException {
        if (ctx == null) return;
        if (filled > 0) send(filled, sink);
        int ret = avcodec_send_frame(ctx, null);
        if (ret < 0 && ret != AVERROR_EOF()) throw new AvException("flush aac", ret);
        drain(sink);
    }

    private void drain(EncodedPacket.Sink sink) throws IOException {
        while (true) {
            int ret = avcodec_receive_packet(ctx, packet);
            if (ret == EAGAIN || ret == AVERROR_EOF()) return;
            AvLibrary.check(ret, "avcodec_receive_packet aac");
            try {
                sink.accept(view);
            } finally {
                av_packet_unref(packet);
            }
        }
    }

    @Override public void close() {
        if (ctx == null) return;
        avcodec_free_context(ctx);
        ctx = null;
        av_frame_free(frame);
        av_packet_free(packet);
    }
}
