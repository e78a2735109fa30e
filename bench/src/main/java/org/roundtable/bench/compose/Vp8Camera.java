package org.roundtable.bench.compose;

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
import static org.bytedeco.ffmpeg.global.avutil.av_dict_count;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.roundtable.mixer.av.AvLibrary;

/**
 * One synthetic camera's video, encoded ahead of time: {@code frames} pictures of a {@link CameraScene}
 * at 30 fps through FFmpeg's libvpx (the LGPL jar the mixer uses) the way a WebRTC sender sets it up:
 * realtime deadline, no lag, CBR at the given bit rate with a one-second buffer, quantiser 2 to 56,
 * the denoiser on, one thread; a key frame first and then only deltas (the loop starts over at the key
 * frame, every {@code frames} or when a key frame is asked for). Encodings are cached on disk by their
 * parameters (making 16 sources of 10 s takes tens of seconds on a small machine).
 * Thread: one caller.
 */
final class Vp8Camera {
    final int width, height, bitrate, fps;
    /** The encoded frames of the loop; frame 0 is a key frame. */
    final List<byte[]> frames;

    private Vp8Camera(int width, int height, int bitrate, int fps, List<byte[]> frames) {
        this.width = width;
        this.height = height;
        this.bitrate = bitrate;
        this.fps = fps;
        this.frames = frames;
    }

    /** Loads the source from cacheDir (null: no cache) or encodes it (and caches it). */
    static Vp8Camera get(int index, int width, int height, int bitrate, int fps, int count, Path cacheDir) throws IOException {
        Path cached = cacheDir == null ? null
                : cacheDir.resolve(String.format("vp8-v%d-%dx%d-%dk-%dfps-%d-src%d.bin", CameraScene.VERSION, width, height,
                        bitrate / 1000, fps, count, index));
        if (cached != null && Files.isRegularFile(cached)) {
            try (InputStream in = Files.newInputStream(cached); DataInputStream d = new DataInputStream(new java.io.BufferedInputStream(in))) {
                int n = d.readInt();
                List<byte[]> frames = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    byte[] f = new byte[d.readInt()];
                    d.readFully(f);
                    frames.add(f);
                }
                return new Vp8Camera(width, height, bitrate, fps, frames);
            }
        }
        CameraScene scene = new CameraScene(width, height, index);
        List<byte[]> frames = encode((t, y, u, v) -> scene.render(t + index * 37, y, u, v), width, height, bitrate, fps, count, count);
        if (cached != null) {
            Files.createDirectories(cacheDir);
            Path tmp = Files.createTempFile(cacheDir, "vp8", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp); DataOutputStream d = new DataOutputStream(new java.io.BufferedOutputStream(out))) {
                d.writeInt(frames.size());
                for (byte[] f : frames) { d.writeInt(f.length); d.write(f); }
            }
            Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return new Vp8Camera(width, height, bitrate, fps, frames);
    }

    /** Paints picture t of a sequence into the planes of a 4:2:0 frame. */
    interface Painter { void paint(int t, byte[] y, byte[] u, byte[] v); }

    /** A source of count pictures from painter, encoded as above, with a key frame at most every keyInterval frames. */
    static Vp8Camera of(Painter painter, int width, int height, int bitrate, int fps, int count, int keyInterval) throws IOException {
        return new Vp8Camera(width, height, bitrate, fps, encode(painter, width, height, bitrate, fps, count, keyInterval));
    }

    private static List<byte[]> encode(Painter painter, int width, int height, int bitrate, int fps, int count, int keyInterval)
            throws IOException {
        AvLibrary.ensureLoaded();
        AVCodec codec = avcodec_find_encoder_by_name("libvpx");
        if (codec == null) throw new IOException("this FFmpeg has no libvpx encoder");
        AVCodecContext ctx = avcodec_alloc_context3(codec);
        ctx.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P).time_base(av_make_q(1, fps)).framerate(av_make_q(fps, 1));
        ctx.bit_rate(bitrate).rc_min_rate(bitrate).rc_max_rate(bitrate).rc_buffer_size(bitrate)   // CBR, 1 s buffer
                .qmin(2).qmax(56).gop_size(keyInterval).thread_count(1);
        AVDictionary opts = new AVDictionary(null);
        av_dict_set(opts, "deadline", "realtime", 0);
        av_dict_set(opts, "cpu-used", "6", 0);
        av_dict_set(opts, "lag-in-frames", "0", 0);
        av_dict_set(opts, "noise-sensitivity", "1", 0);
        av_dict_set(opts, "static-thresh", "1", 0);
        av_dict_set(opts, "undershoot-pct", "100", 0);
        av_dict_set(opts, "overshoot-pct", "15", 0);
        int ret = avcodec_open2(ctx, codec, opts);
        int unused = av_dict_count(opts);
        av_dict_free(opts);
        if (ret < 0) {
            avcodec_free_context(ctx);
            throw new IOException("libvpx did not open: " + AvLibrary.errorString(ret));
        }
        if (unused > 0) System.err.println("[compose] libvpx ignored " + unused + " option(s)");
        AVFrame frame = av_frame_alloc();
        frame.format(AV_PIX_FMT_YUV420P).width(width).height(height);
        if (av_frame_get_buffer(frame, 32) < 0) throw new OutOfMemoryError("av_frame_get_buffer");
        AVPacket pkt = av_packet_alloc();
        byte[] y = new byte[width * height], u = new byte[width * height / 4], v = new byte[width * height / 4];
        List<byte[]> out = new ArrayList<>(count);
        try {
            for (int t = 0; t < count; t++) {
                painter.paint(t, y, u, v);
                if (av_frame_make_writable(frame) < 0) throw new IOException("av_frame_make_writable");
                copy(frame, 0, y, width, height);
                copy(frame, 1, u, width / 2, height / 2);
                copy(frame, 2, v, width / 2, height / 2);
                frame.pts(t);
                ret = avcodec_send_frame(ctx, frame);
                if (ret < 0) throw new IOException("libvpx encode: " + AvLibrary.errorString(ret));
                while (avcodec_receive_packet(ctx, pkt) >= 0) {
                    byte[] b = new byte[pkt.size()];
                    pkt.data().get(b);
                    out.add(b);
                    av_packet_unref(pkt);
                }
            }
        } finally {
            av_packet_free(pkt);
            av_frame_free(frame);
            avcodec_free_context(ctx);
        }
        if (out.size() != count) throw new IOException("libvpx gave " + out.size() + " frames for " + count);
        return out;
    }

    private static void copy(AVFrame f, int plane, byte[] src, int w, int h) {
        int stride = f.linesize(plane);
        ByteBuffer dst = f.data(plane).capacity((long) stride * h).asByteBuffer();
        for (int j = 0; j < h; j++) dst.put(j * stride, src, j * w, w);
    }

    /** Whether an encoded VP8 frame is a key frame (the P bit of its first byte is 0). */
    static boolean keyframe(byte[] f) { return f.length > 0 && (f[0] & 1) == 0; }

    /** The loop's mean bit rate in bits per second. */
    double bitsPerSecond() {
        long bytes = 0;
        for (byte[] f : frames) bytes += f.length;
        return bytes * 8.0 * fps / frames.size();
    }

    int keyframes() {
        int n = 0;
        for (byte[] f : frames) if (keyframe(f)) n++;
        return n;
    }
}
