package org.roundtable.bench.compose;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.bridge.rtp.Keyframes;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.mixer.AudioCodec;

/**
 * One synthetic member as the server sees it, with a clock of its own: a microphone (Opus, 20 ms frames,
 * 48 kHz RTP clock) and a camera (VP8, 30 fps, 90 kHz RTP clock) showing {@link FlashPattern}, and RTCP
 * sender reports for both tracks. The sender's clock runs {@code ppm} parts per million fast (negative:
 * slow) against the server's System.nanoTime: sender time s (ms) = (server time since start) x (1 + ppm/1e6).
 * Everything the sender does follows its clock: audio frame k is captured over [20k, 20k+20) sender ms and
 * stamped 960k; camera frame j at its capture instant (FlashPattern.captureMs) x 90; the SRs pair the
 * sender's NTP time (its wall clock at start, 3.7 s off the server's, plus s) with its RTP clocks. A
 * real sender's SR time stamps are not exact (the RTP time is extrapolated from the last frame), so each
 * SR's RTP time carries Gaussian jitter of 2 ms (clamped to ±8 ms); SRs come every 1 s (video) and 5 s
 * (audio), each randomised to 0.5-1.5 times that (RFC 3550 6.3.1), the first ones 0.2 s after start.
 * Packets and SRs reach the server after a network delay (audio 20-30 ms, video 40-60 ms after an
 * encoder's 10 ms, RTCP 20-30 ms; never reordered within a stream) and are handed over as the bridge's
 * Endpoint does after SRTP: RTP through {@link MediaSource#route}, SRs parsed from the wire bytes
 * into {@code senderClock.update(ntpSeconds, ntpFraction, rtpTs)} and lastSrNtpMiddle/lastSrAtMs.
 * Thread: everything on the media loop ({@link #step} every few ms).
 */
final class DriftSender {
    private static final int AUDIO_PT = 111, VIDEO_PT = 96, AUDIO_SSRC = 0x0A0D1000, VIDEO_SSRC = 0x0A0D2000;
    final MediaSource audio, video;
    private final FlashPattern pattern;
    private final Vp8Camera camera;
    private final Vp8Packetizer vp8 = new Vp8Packetizer(VIDEO_PT, VIDEO_SSRC, 4711, 77, 1200);
    private final AudioCodec opus = AudioCodec.encoder(AudioCodec.Kind.OPUS, 5);
    private final double rate;                          // sender ms per server ms
    private final long t0Nanos;
    private final double ntpBaseMs;
    private final long audioRtpBase = 0x7654_3210L, videoRtpBase = 0x1234_5678L;
    private final SplittableRandom rnd;
    private final short[] pcm = new short[AudioCodec.FRAME];
    private final byte[] opusOut = new byte[1500];
    private int audioSeq = 1000;
    private long audioFrame, videoFrame;
    private double audioSrAt = 200, videoSrAt = 200;    // sender ms of the next SR
    private double audioArrives, videoArrives, rtcpArrives;   // server ms: the last delivery per stream (no reordering)
    private long order;
    private final PriorityQueue<Delivery> queue = new PriorityQueue<>();
    long audioPackets, audioOctets, videoPackets, videoOctets, videoFrames, audioSrs, videoSrs, keyframeRequests;

    private record Delivery(double atMs, long order, Runnable what) implements Comparable<Delivery> {
        @Override public int compareTo(Delivery o) { return atMs != o.atMs ? Double.compare(atMs, o.atMs) : Long.compare(order, o.order); }
    }

    DriftSender(String ownerId, FlashPattern pattern, Vp8Camera camera, double ppm, long seed, long t0Nanos) {
        this.pattern = pattern;
        this.camera = camera;
        this.rate = 1 + ppm * 1e-6;
        this.t0Nanos = t0Nanos;
        this.rnd = new SplittableRandom(seed);
        this.ntpBaseMs = System.currentTimeMillis() + 2_208_988_800_000.0 + 3_700;
        this.audio = new MediaSource("mic-" + ownerId, ownerId, "0", MediaKind.AUDIO, Keyframes.Codec.OPUS, 48_000, AUDIO_PT, -1,
                AUDIO_SSRC, 0, s -> { }, false);
        this.video = new MediaSource("cam-" + ownerId, ownerId, "1", MediaKind.VIDEO, Keyframes.Codec.VP8, 90_000, VIDEO_PT, -1,
                VIDEO_SSRC, 0, s -> keyframeRequests++, false);
    }

    /** The sender's clock (ms since its start) at a server System.nanoTime. */
    double senderMs(long serverNanos) { return (serverNanos - t0Nanos) / 1e6 * rate; }

    /** Server ms (System.nanoTime / 1e6) at a sender time. */
    private double serverMs(double senderMs) { return t0Nanos / 1e6 + senderMs / rate; }

    /** Captures, sends and delivers whatever is due by now. Media loop. */
    void step() {
        long now = System.nanoTime();
        double s = senderMs(now);
        while ((audioFrame + 1) * 20.0 <= s) captureAudio();
        while (pattern.captureMs(videoFrame) + 10 <= s) captureVideo();
        while (audioSrAt <= s) { report(true, audioSrAt); audioSrAt += 5_000 * rnd.nextDouble(0.5, 1.5); }
        while (videoSrAt <= s) { report(false, videoSrAt); videoSrAt += 1_000 * rnd.nextDouble(0.5, 1.5); }
        double nowMs = now / 1e6;
        for (Delivery d; (d = queue.peek()) != null && d.atMs <= nowMs; ) { queue.poll(); d.what.run(); }
    }

    /** Audio frame k: 20 ms of the pattern's sound, Opus-encoded, sent when its capture ends. */
    private void captureAudio() {
        long k = audioFrame++;
        pattern.audio(k * AudioCodec.FRAME, pcm);
        int len = opus.encode(pcm, opusOut);
        byte[] p = new byte[12 + len];
        header(p, AUDIO_PT, false, audioSeq++, audioRtpBase + k * AudioCodec.FRAME, AUDIO_SSRC);
        System.arraycopy(opusOut, 0, p, 12, len);
        audioArrives = Math.max(audioArrives, serverMs((k + 1) * 20.0) + rnd.nextDouble(20, 30));
        audioPackets++;
        audioOctets += len;
        queue.add(new Delivery(audioArrives, order++, () -> route(audio, p)));
    }

    /** Camera frame j: the loop's frame j mod 240, stamped at its capture instant, sent 10 ms later (encode). */
    private void captureVideo() {
        long j = videoFrame++;
        double captured = pattern.captureMs(j);
        byte[] f = camera.frames.get((int) (j % camera.frames.size()));
        List<byte[]> packets = vp8.packetize(f, 0, f.length, (videoRtpBase + Math.round(captured * 90)) & 0xFFFFFFFFL);
        videoArrives = Math.max(videoArrives, serverMs(captured + 10) + rnd.nextDouble(40, 60));
        for (byte[] p : packets) {
            videoPackets++;
            videoOctets += p.length - 12;
            queue.add(new Delivery(videoArrives, order++, () -> route(video, p)));
        }
        videoFrames++;
    }

    /** An SR built at sender time s: its NTP time exact, its RTP time with the sender's extrapolation error. */
    private void report(boolean isAudio, double s) {
        double err = Math.max(-8, Math.min(8, 2 * rnd.nextGaussian()));
        long rtp = isAudio ? audioRtpBase + Math.round((s + err) * 48) : videoRtpBase + Math.round((s + err) * 90);
        if (isAudio) lastAudioSrRtp = rtp & 0xFFFFFFFFL; else lastVideoSrRtp = rtp & 0xFFFFFFFFL;
        byte[] b = new byte[28];
        Rtcp.writeSr(b, 0, isAudio ? AUDIO_SSRC : VIDEO_SSRC, Rtcp.ntpFromNtpMillis(ntpBaseMs + s), rtp & 0xFFFFFFFFL,
                isAudio ? audioPackets : videoPackets, isAudio ? audioOctets : videoOctets);
        rtcpArrives = Math.max(rtcpArrives, serverMs(s) + rnd.nextDouble(20, 30));
        MediaSource src = isAudio ? audio : video;
        if (isAudio) audioSrs++; else videoSrs++;
        queue.add(new Delivery(rtcpArrives, order++, () -> onSr(src, b)));
    }

    /** What Endpoint.onSrtcp does with an SR from this source, from the packet's bytes. */
    private static void onSr(MediaSource s, byte[] a) {
        int p = 0;
        if (Rtcp.packetType(a, p) != Rtcp.SR || Rtcp.length(a, p) < 28) throw new IllegalStateException("not an SR");
        s.lastSrNtpMiddle = ((RtpPacket.u32(a, p + 8) & 0xFFFF) << 16) | (RtpPacket.u32(a, p + 12) >>> 16);
        s.lastSrAtMs = System.nanoTime() / 1_000_000L;
        s.senderClock.update(RtpPacket.u32(a, p + 8), RtpPacket.u32(a, p + 12), RtpPacket.u32(a, p + 16));
    }

    private static void route(MediaSource s, byte[] p) {
        ByteBuf b = Unpooled.wrappedBuffer(p);
        try { s.route(b, 0, p.length, 12, System.nanoTime() / 1_000_000L, false); } finally { b.release(); }
    }

    private static void header(byte[] b, int pt, boolean marker, int seq, long ts, int ssrc) {
        b[0] = (byte) 0x80;
        b[1] = (byte) ((marker ? 0x80 : 0) | pt);
        b[2] = (byte) (seq >> 8);
        b[3] = (byte) seq;
        for (int i = 0; i < 4; i++) b[4 + i] = (byte) (ts >> (24 - 8 * i));
        for (int i = 0; i < 4; i++) b[8 + i] = (byte) (ssrc >> (24 - 8 * i));
    }

    /**
     * How far the rate of a source's fitted SenderClock (sender ms per RTP tick) is from the truth (the
     * sender's RTP and NTP clocks run together), in ppm: the regression's error, not the sender's drift,
     * which the fit cannot see (it maps the sender's RTP time to the sender's own wall clock).
     */
    double fitErrorPpm(boolean isAudio) {
        MediaSource s = isAudio ? audio : video;
        long anchor = isAudio ? lastAudioSrRtp : lastVideoSrRtp;
        if (!s.senderClock.known()) return Double.NaN;
        double ms = s.senderClock.captureMs(anchor + s.clockRate) - s.senderClock.captureMs(anchor);
        return (ms / 1000 - 1) * 1e6;
    }

    private long lastAudioSrRtp, lastVideoSrRtp;
}
