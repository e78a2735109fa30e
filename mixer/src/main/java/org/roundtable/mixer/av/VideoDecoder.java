package org.roundtable.mixer.av;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_LOW_DELAY;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_VP8;
import static org.bytedeco.ffmpeg.global.avcodec.av_new_packet;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_move_ref;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * Decodes one participant's video (VP8 frames, or H.264 access units in Annex B with start codes, as
 * the depacketiser reassembles them) into {@link Picture}s for the {@link Canvas}. Bad input (a lost
 * packet's broken frame, or garbage) is counted and gives {@code null}; the decoder picks up again at
 * the next key frame. A change of resolution is the codec's business: the next picture simply has the
 * new size. One thread, no frame threading, low delay: a frame in, its picture out.
 * Thread: the composition thread; not thread-safe.
 */
public final class VideoDecoder implements AutoCloseable {
    /** The video codecs a participant may send. */
    public enum Codec {
        VP8(AV_CODEC_ID_VP8), H264(AV_CODEC_ID_H264);
        final int id;
        Codec(int id) { this.id = id; }
    }

    private static final int EAGAIN = -11;
    private final Codec codec;
    private AVCodecContext ctx;
    private final AVPacket packet;
    private final AVFrame scratch;
    private final AVFrame latest;
    private final Picture latestPicture;
    private boolean haveLatest;
    private long decoded;
    private long errors;
    private int resolutionChanges;

    public VideoDecoder(Codec codec) throws AvException {
        AvLibrary.ensureLoaded();
        this.codec = codec;
        AVCodec dec = avcodec_find_decoder(codec.id);
        if (dec == null) throw new AvException("no " + codec + " decoder in this FFmpeg", -1);
        ctx = avcodec_alloc_context3(dec);
        if (ctx == null) throw new OutOfMemoryError("avcodec_alloc_context3");
        ctx.thread_count(1);
        ctx.flags(ctx.flags() | AV_CODEC_FLAG_LOW_DELAY);
        int ret = avcodec_open2(ctx, dec, (AVDictionary) null);
        if (ret < 0) {
            avcodec_free_context(ctx);
            throw new AvException("avcodec_open2 " + codec, ret);
        }
        packet = av_packet_alloc();
        scratch = av_frame_alloc();
        latest = av_frame_alloc();
        latestPicture = Picture.wrap(latest);
    }

    public Codec codec() { return codec; }

    /**
     * Decodes one frame (VP8) or access unit (H.264 Annex B).
     *
     * @param data the encoded bytes (copied; the array may be reused at once)
     * @param pts the caller's time stamp, handed back as {@link Picture#pts()}
     * @return the picture this input completed, or {@code null} (needs more input, or the input was bad:
     *     see {@link #errors()}). It stays valid until the next call; {@link #latest()} keeps the last good one.
     */
    public Picture decode(byte[] data, int len, long pts) {
        if (ctx == null) throw new IllegalStateException("closed");
        if (len <= 0 || len > data.length) { errors++; return null; }
        if (av_new_packet(packet, len) < 0) { errors++; return null; }
        packet.data().put(data, 0, len);
        packet.pts(pts).dts(pts);
        int ret = avcodec_send_packet(ctx, packet);
        av_packet_unref(packet);
        if (ret < 0 && ret != EAGAIN) { errors++; return null; }
        boolean got = false;
        while (true) {
            ret = avcodec_receive_frame(ctx, scratch);
            if (ret == EAGAIN || ret == AVERROR_EOF()) break;
            if (ret < 0) { errors++; break; }
            if (haveLatest && (scratch.width() != latest.width() || scratch.height() != latest.height())) {
                resolutionChanges++;
            }
            av_frame_unref(latest);
            av_frame_move_ref(latest, scratch);
            latest.pts(pts);
            haveLatest = true;
            got = true;
            decoded++;
        }
        return got ? latestPicture : null;
    }

    /** The last picture decoded, or {@code null} before the first. */
    public Picture latest() { return haveLatest ? latestPicture : null; }

    /** Pictures decoded so far. */
    public long decoded() { return decoded; }
    /** Inputs refused by the decoder (broken frames, garbage) so far. */
    public long errors() { return errors; }
    /** Times the picture size changed between two decoded pictures. */
    public int resolutionChanges() { return resolutionChanges; }

    @Override public void close() {
        if (ctx == null) return;
        avcodec_free_context(ctx);
        ctx = null;
        av_packet_free(packet);
        av_frame_free(scratch);
        av_frame_free(latest);
        haveLatest = false;
    }
}
