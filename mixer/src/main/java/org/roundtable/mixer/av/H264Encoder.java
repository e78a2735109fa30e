package org.roundtable.mixer.av;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_I;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.DoublePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes composed pictures to H.264 for a recording: OpenH264 (LGPL-safe; in the plain bytedeco jar)
 * unless the config names another encoder (say {@code h264_nvenc}), which is tried first and falls back
 * to OpenH264 if it is missing or will not open. yuv420p, no B-frames, a key frame at the start of
 * every GOP (2 s by default), forced on the frame as well as asked of the encoder. Time stamps are the
 * caller's presentation clock in microseconds, kept in a 90 kHz time base; a picture whose time stamp is
 * not after the previous one is dropped. A picture of another size or format is scaled to fit.
 * Thread: the composition thread; not thread-safe.
 */
public final class H264Encoder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(H264Encoder.class);
    private static final int EAGAIN = -11;
    static final int TIME_BASE = 90_000;

    /**
     * @param encoder FFmpeg encoder name tried first ({@code libopenh264} by default)
     * @param gopSeconds seconds between key frames
     * @param threads encoder threads (0: the encoder decides)
     * @param globalHeader SPS/PPS in the codec parameters, as MP4 wants (false: in-band only)
     */
    public record Config(int width, int height, int fps, int bitrate, String encoder, int gopSeconds,
                         int threads, boolean globalHeader) {
        public Config {
            if (width <= 0 || height <= 0 || (width & 1) != 0 || (height & 1) != 0) {
                throw new IllegalArgumentException("size must be even: " + width + "x" + height);
            }
            if (fps <= 0 || bitrate <= 0 || gopSeconds <= 0 || threads < 0) throw new IllegalArgumentException();
        }
        /** 1280x720, 30 fps, 2.5 Mbit/s, OpenH264, GOP 2 s, one thread, global header. */
        public static Config defaults() { return new Config(1280, 720, 30, 2_500_000, "libopenh264", 2, 1, true); }
        public Config withSize(int w, int h) { return new Config(w, h, fps, bitrate, encoder, gopSeconds, threads, globalHeader); }
        public Config withFps(int f) { return new Config(width, height, f, bitrate, encoder, gopSeconds, threads, globalHeader); }
        public Config withBitrate(int b) { return new Config(width, height, fps, b, encoder, gopSeconds, threads, globalHeader); }
        public Config withEncoder(String e) { return new Config(width, height, fps, bitrate, e, gopSeconds, threads, globalHeader); }
        public Config withThreads(int t) { return new Config(width, height, fps, bitrate, encoder, gopSeconds, t, globalHeader); }
        public Config withGlobalHeader(boolean g) { return new Config(width, height, fps, bitrate, encoder, gopSeconds, threads, g); }
        /** Frames between key frames. */
        public int gopFrames() { return fps * gopSeconds; }
    }

    private final Config config;
    private AVCodecContext ctx;
    private final String encoderName;
    private final Picture input;
    private final AVPacket packet;
    private final EncodedPacket view;
    private SwsContext sws;
    private long frames;
    private long lastPts = Long.MIN_VALUE;
    private long dropped;
    private boolean forceKey;

    public H264Encoder(Config config) throws AvException {
        AvLibrary.ensureLoaded();
        this.config = config;
        Set<String> names = new LinkedHashSet<>();
        if (config.encoder() != null && !config.encoder().isBlank()) names.add(config.encoder());
        names.add("libopenh264");
        AVCodec fallback = avcodec_find_encoder(AV_CODEC_ID_H264);
        if (fallback != null) names.add(fallback.name().getString());
        String chosen = null;
        int lastError = -1;
        for (String name : names) {
            AVCodec codec = avcodec_find_encoder_by_name(name);
            if (codec == null) { LOG.info("H.264 encoder {} is not in this FFmpeg", name); continue; }
            int ret = open(codec);
            if (ret >= 0) { chosen = name; break; }
            lastError = ret;
            LOG.info("H.264 encoder {} did not open: {}", name, AvLibrary.errorString(ret));
        }
        if (chosen == null) throw new AvException("no H.264 encoder opened (tried " + names + ")", lastError);
        if (!chosen.equals(config.encoder())) LOG.warn("H.264 encoder {} unavailable; using {}", config.encoder(), chosen);
        encoderName = chosen;
        input = Picture.allocate(config.width(), config.height());
        packet = av_packet_alloc();
        view = new EncodedPacket(packet, ctx.time_base());
    }

    private int open(AVCodec codec) {
        AVCodecContext c = avcodec_alloc_context3(codec);
        if (c == null) throw new OutOfMemoryError("avcodec_alloc_context3");
        c.width(config.width()).height(config.height()).pix_fmt(AV_PIX_FMT_YUV420P);
        c.time_base(av_make_q(1, TIME_BASE)).framerate(av_make_q(config.fps(), 1));
        c.bit_rate(config.bitrate()).gop_size(config.gopFrames()).max_b_frames(0).thread_count(config.threads());
        if (config.globalHeader()) c.flags(c.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        AVDictionary opts = new AVDictionary(null);
        if (codec.name().getString().equals("libopenh264")) {
            av_dict_set(opts, "rc_mode", "bitrate", 0);
            av_dict_set(opts, "allow_skip_frames", "0", 0);
        }
        int ret = avcodec_open2(c, codec, opts);
        av_dict_free(opts);
        if (ret < 0) avcodec_free_context(c);
        else ctx = c;
        return ret;
    }

    /** The FFmpeg encoder in use ({@code libopenh264} unless a configured one opened). */
    public String encoderName() { return encoderName; }
    public Config config() { return config; }
    AVCodecContext context() { return ctx; }
    /** Pictures dropped because their time stamp did not advance. */
    public long dropped() { return dropped; }
    /** Pictures encoded so far. */
    public long frames() { return frames; }
    /** The codec's global header (SPS and PPS, as the encoder wrote them: Annex B or avcC), or an empty array. */
    public byte[] extradata() { return AvLibrary.extradata(ctx); }
    /** Makes the next picture a key frame (a new file, a live output, a viewer); the GOP cadence goes on as before. */
    public void requestKeyFrame() { forceKey = true; }

    /** Encodes one picture shown at {@code ptsMicros}; the packets it yields go to {@code sink}. */
    public void encode(Picture picture, long ptsMicros, EncodedPacket.Sink sink) throws IOException {
        if (ctx == null) throw new IllegalStateException("closed");
        long pts = ptsMicros * TIME_BASE / 1_000_000;
        if (pts <= lastPts) { dropped++; return; }
        AvLibrary.check(av_frame_make_writable(input.frame), "av_frame_make_writable");
        copyIn(picture);
        // the GOP cadence stays whatever is asked in between: segments (HLS, 2 s) are cut on it
        boolean key = forceKey || frames % config.gopFrames() == 0;
        input.frame.pict_type(key ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE).pts(pts);
        forceKey = false;
        lastPts = pts;
        frames++;
        AvLibrary.check(avcodec_send_frame(ctx, input.frame), "avcodec_send_frame " + encoderName);
        drain(sink);
    }

    private void copyIn(Picture src) throws AvException {
        if (src.width() == config.width() && src.height() == config.height()
                && src.pixelFormat() == AV_PIX_FMT_YUV420P) {
            AvLibrary.check(av_frame_copy(input.frame, src.frame), "av_frame_copy");
            return;
        }
        sws = sws_getCachedContext(sws, src.width(), src.height(), src.pixelFormat(), config.width(),
                config.height(), AV_PIX_FMT_YUV420P, SWS_BILINEAR, null, null, (DoublePointer) null);
        if (sws == null) throw new AvException("no scaler from pixel format " + src.pixelFormat(), -22);
        sws_scale(sws, src.frame.data(), src.frame.linesize(), 0, src.height(), input.frame.data(), input.frame.linesize());
    }

    /** Drains the encoder's delayed packets (at the end of a recording). */
    public void flush(EncodedPacket.Sink sink) throws IOException {
        if (ctx == null) return;
        int ret = avcodec_send_frame(ctx, null);
        if (ret < 0 && ret != AVERROR_EOF()) throw new AvException("flush " + encoderName, ret);
        drain(sink);
    }

    private void drain(EncodedPacket.Sink sink) throws IOException {
        while (true) {
            int ret = avcodec_receive_packet(ctx, packet);
            if (ret == EAGAIN || ret == AVERROR_EOF()) return;
            AvLibrary.check(ret, "avcodec_receive_packet " + encoderName);
            try {
                if (packet.duration() <= 0) packet.duration(TIME_BASE / config.fps());
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
        av_packet_free(packet);
        if (sws != null) sws_freeContext(sws);
        sws = null;
        input.close();
    }
}
