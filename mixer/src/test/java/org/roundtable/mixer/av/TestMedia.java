package org.roundtable.mixer.av;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;

/** Test pictures, tones and VP8/H.264 frames, all made in-process. */
final class TestMedia {
    private TestMedia() {}

    /** Luma of the big backdrop block at a frame: ramps from 40 to 200 over four seconds at 30 fps. */
    static int backdropLuma(int frame) { return 40 + Math.min(160, frame * 160 / 120); }

    /** A scene: a backdrop block whose brightness ramps, two coloured rectangles moving, a label. */
    static void scene(Canvas c, int frame) {
        c.clear();
        int w = c.width(), h = c.height();
        c.fill(0, 0, w, h * 2 / 3, backdropLuma(frame), 128, 128);
        int x = (frame * 12) % Math.max(2, w - w / 5);
        c.fill(x, h / 6, w / 5, h / 5, 82, 90, 240);                  // red
        c.fill(w - w / 5 - x / 2, h / 2, w / 5, h / 5, 145, 54, 34);  // green
        c.label("frame " + frame, 8, h - h / 10 - 8, w / 2, h / 10);
    }

    /** {@code samples} of a 440 Hz sine at 48 kHz (mono), starting at sample {@code start}. */
    static short[] tone(long start, int samples) {
        short[] pcm = new short[samples];
        for (int i = 0; i < samples; i++) {
            pcm[i] = (short) (8000 * Math.sin(2 * Math.PI * 440 * (start + i) / 48000.0));
        }
        return pcm;
    }

    /** Encodes pictures to H.264 Annex B with in-band SPS/PPS (no global header), one access unit each. */
    static List<byte[]> h264Frames(int width, int height, int count) throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (Canvas src = new Canvas(width, height);
             H264Encoder enc = new H264Encoder(H264Encoder.Config.defaults().withSize(width, height)
                     .withBitrate(500_000).withGlobalHeader(false))) {
            for (int i = 0; i < count; i++) {
                scene(src, i);
                enc.encode(src.picture(), i * 33_333L, p -> out.add(p.copyData()));
            }
            enc.flush(p -> out.add(p.copyData()));
        }
        return out;
    }

    /** A VP8 encoder (FFmpeg's libvpx from the same jar), to make decoder input. */
    static final class Vp8Encoder implements AutoCloseable {
        private AVCodecContext ctx;
        private final AVPacket pkt = av_packet_alloc();
        private long n;

        Vp8Encoder(int width, int height) throws AvException {
            AvLibrary.ensureLoaded();
            AVCodec codec = avcodec_find_encoder_by_name("libvpx");
            if (codec == null) throw new AvException("no libvpx encoder", -1);
            ctx = avcodec_alloc_context3(codec);
            ctx.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P).time_base(av_make_q(1, 30))
                    .framerate(av_make_q(30, 1)).bit_rate(500_000).gop_size(30).thread_count(1);
            AVDictionary opts = new AVDictionary(null);
            org.bytedeco.ffmpeg.global.avutil.av_dict_set(opts, "deadline", "realtime", 0);
            org.bytedeco.ffmpeg.global.avutil.av_dict_set(opts, "lag-in-frames", "0", 0);
            AvLibrary.check(avcodec_open2(ctx, codec, opts), "open libvpx");
            org.bytedeco.ffmpeg.global.avutil.av_dict_free(opts);
        }

        /** Encodes a picture of the encoder's size; returns the frames it gave (usually one). */
        List<byte[]> encode(Picture p) throws AvException {
            p.frame.pts(n++);
            AvLibrary.check(avcodec_send_frame(ctx, p.frame), "send vp8");
            List<byte[]> out = new ArrayList<>();
            while (avcodec_receive_packet(ctx, pkt) >= 0) {
                byte[] b = new byte[pkt.size()];
                pkt.data().get(b);
                out.add(b);
                av_packet_unref(pkt);
            }
            return out;
        }

        @Override public void close() {
            avcodec_free_context(ctx);
            av_packet_free(pkt);
        }
    }
}
