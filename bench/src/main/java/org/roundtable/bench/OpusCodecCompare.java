package org.roundtable.bench;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import java.lang.management.ManagementFactory;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.ShortPointer;
import org.roundtable.mixer.AudioCodec;

/**
 * Opus in process, the mixer's way (20 ms, 48 kHz mono, complexity 5, voip, 32 kbit/s): libopus through
 * FFmpeg's avcodec (JavaCV, AVFrame and AVPacket reused) against Concentus. Prints µs per frame to
 * encode and decode and the bytes allocated per frame, for a few rounds of N frames.
 *   java -cp "bench/target/roundtable-bench.jar:bench/target/lib/*" org.roundtable.bench.OpusCodecCompare [frames]
 * Thread: main only.
 */
public final class OpusCodecCompare {
    private OpusCodecCompare() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        av_log_set_level(AV_LOG_ERROR);
        AVCodec enc = avcodec_find_encoder_by_name("libopus"), dec = avcodec_find_decoder_by_name("libopus");
        if (enc == null || dec == null) throw new IllegalStateException("this FFmpeg build has no libopus");
        AVCodecContext ec = avcodec_alloc_context3(enc);
        ec.sample_rate(48000);
        av_channel_layout_default(ec.ch_layout(), 1);
        ec.sample_fmt(AV_SAMPLE_FMT_S16);
        ec.bit_rate(32000);
        ec.compression_level(5);
        AVDictionary opts = new AVDictionary(null);
        av_dict_set(opts, "application", "voip", 0);
        check(avcodec_open2(ec, enc, opts), "open the encoder");
        AVCodecContext dc = avcodec_alloc_context3(dec);
        dc.sample_rate(48000);
        av_channel_layout_default(dc.ch_layout(), 1);
        dc.request_sample_fmt(AV_SAMPLE_FMT_S16);
        check(avcodec_open2(dc, dec, (AVDictionary) null), "open the decoder");
        AVFrame in = av_frame_alloc(), out = av_frame_alloc();
        in.nb_samples(AudioCodec.FRAME);
        in.format(AV_SAMPLE_FMT_S16);
        in.sample_rate(48000);
        av_channel_layout_copy(in.ch_layout(), ec.ch_layout());
        check(av_frame_get_buffer(in, 0), "frame buffer");
        ShortPointer inPcm = new ShortPointer(in.data(0));
        AVPacket pkt = av_packet_alloc(), dp = av_packet_alloc();
        check(av_new_packet(dp, 1500), "packet buffer");
        BytePointer dpData = dp.data();
        short[] pcm = new short[AudioCodec.FRAME], back = new short[AudioCodec.FRAME];
        byte[] bytes = new byte[1500];
        AudioCodec ce = AudioCodec.encoder(AudioCodec.Kind.OPUS, 5), cd = AudioCodec.decoder(AudioCodec.Kind.OPUS);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long pts = 0, sink = 0;
        for (int round = 0; round < 3; round++) {
            long lEnc = 0, lDec = 0, cEnc = 0, cDec = 0, lAlloc = 0, cAlloc = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < pcm.length; j++) pcm[j] = (short) (8000 * Math.sin(2 * Math.PI * 440 * ((long) i * pcm.length + j) / 48000.0));
                long a0 = mx.getCurrentThreadAllocatedBytes(), t0 = System.nanoTime();
                inPcm.position(0).put(pcm, 0, pcm.length);
                in.pts(pts);
                pts += pcm.length;
                check(avcodec_send_frame(ec, in), "encode");
                int len = 0;
                if (avcodec_receive_packet(ec, pkt) == 0) { len = pkt.size(); pkt.data().get(bytes, 0, len); av_packet_unref(pkt); }
                long t1 = System.nanoTime();
                if (len > 0) {
                    dpData.position(0).put(bytes, 0, len);
                    dp.size(len);
                    check(avcodec_send_packet(dc, dp), "decode");
                    if (avcodec_receive_frame(dc, out) == 0) { new ShortPointer(out.data(0)).get(back, 0, back.length); av_frame_unref(out); }
                }
                long t2 = System.nanoTime(), a1 = mx.getCurrentThreadAllocatedBytes();
                int clen = ce.encode(pcm, bytes);
                long t3 = System.nanoTime();
                cd.decode(bytes, 0, clen, back);
                long t4 = System.nanoTime(), a2 = mx.getCurrentThreadAllocatedBytes();
                lEnc += t1 - t0; lDec += t2 - t1; cEnc += t3 - t2; cDec += t4 - t3;
                lAlloc += a1 - a0; cAlloc += a2 - a1;
                sink += back[100];
            }
            System.out.printf("round %d, %d frames: libopus/avcodec encode %.1f us, decode %.1f us, %d B/frame; Concentus encode %.1f us, decode %.1f us, %d B/frame%n",
                    round, n, lEnc / 1e3 / n, lDec / 1e3 / n, lAlloc / n, cEnc / 1e3 / n, cDec / 1e3 / n, cAlloc / n);
        }
        if (sink == 42) System.out.println();
    }

    private static void check(int r, String what) {
        if (r < 0) throw new IllegalStateException(what + " failed: " + r);
    }
}
