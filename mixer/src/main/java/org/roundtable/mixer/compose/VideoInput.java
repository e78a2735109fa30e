package org.roundtable.mixer.compose;

import io.netty.buffer.ByteBuf;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.bridge.router.Subscription;
import org.roundtable.bridge.rtp.Keyframes;
import org.roundtable.mixer.av.Picture;
import org.roundtable.mixer.av.VideoDecoder;
import org.roundtable.mixer.video.EncodedFrame;
import org.roundtable.mixer.video.FrameAssembler;
import org.roundtable.mixer.video.VideoCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One video source in a composition: an ordinary router subscription whose packets are copied into a
 * ring on the media loop; on the composition thread they are assembled into frames (reordered, losses
 * detected, a key frame asked for after one, paced) and decoded; the tile shows the last picture.
 * Thread: onRtp and onSourceRemoved on the media loop; everything else on the composition thread.
 */
final class VideoInput implements AutoCloseable, Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(VideoInput.class);
    final MediaSource source;
    private final VideoInbox inbox = new VideoInbox();
    private final FrameAssembler assembler;
    private VideoDecoder decoder;
    private Picture picture;
    volatile boolean removed;
    long frames, decodeErrors, synced, unsynced, forced;
    /** Decoded pictures and how late they were on average against their due time (ms). */
    long shown;
    double lateSum;
    /** Frames waiting for their time (encoded: a few KB each), in arrival order. */
    private final java.util.ArrayDeque<Pending> pending = new java.util.ArrayDeque<>();
    private volatile AudioTimes audioTimes;
    private final double[] voice = new double[2];
    /** The last lip-sync correction (due - arrival, ms) for metrics and logs. */
    volatile double lastCorrectionMs;

    private record Pending(byte[] data, long rtpTs, double dueMs) {}
    /** Frames held at most: 90 (3 s at 30 fps); more means the clock is wrong: decode at once. */
    private static final int MAX_PENDING = 90;

    VideoInput(MediaSource source, Runnable keyframeNeeded) {
        this.source = source;
        VideoCodec codec = source.codec == Keyframes.Codec.H264 ? VideoCodec.H264 : VideoCodec.VP8;
        this.assembler = new FrameAssembler(codec, this::decode, keyframeNeeded);
        try {
            decoder = new VideoDecoder(codec == VideoCodec.H264 ? VideoDecoder.Codec.H264 : VideoDecoder.Codec.VP8);
        } catch (Exception e) {
            LOG.warn("{}: no decoder: {}", source, e.toString());
        }
    }

    static boolean decodable(MediaSource s) { return s.codec == Keyframes.Codec.H264 || s.codec == Keyframes.Codec.VP8; }

    @Override public void onRtp(MediaSource s, ByteBuf buf, int off, int len, int headerLen, boolean keyframe) {
        inbox.offer(buf.array(), off, len, System.nanoTime() / 1_000_000L);   // the composition's clock
    }

    @Override public void onSourceRemoved(MediaSource s) { removed = true; }

    void audioTimes(AudioTimes t) { this.audioTimes = t; }

    /** Moves the packets that came since the last tick through the assembler (frames wait for their time). */
    void poll() { inbox.drain(assembler::push); }

    /**
     * A whole frame: when it should be shown (ms, System.nanoTime clock): at the mix time of the owner's
     * voice captured at the same instant (from both tracks' sender reports), else at its arrival.
     */
    private void decode(EncodedFrame f) {
        if (decoder == null) return;
        frames++;
        double arrival = f.arrivalMs();
        double due = arrival;
        AudioTimes at = audioTimes;
        if (at != null && source.senderClock.known() && at.voice(source.ownerId, voice)) {
            double captured = source.senderClock.captureMs(f.rtpTimestamp());
            double d = captured - voice[0] + voice[1] / 1e6;
            // a mapping seconds away from the arrival is a broken clock, not a delay: ignore it
            if (Math.abs(d - arrival) < 2_000) { due = d; synced++; lastCorrectionMs = d - arrival; } else unsynced++;
        } else unsynced++;
        if (pending.size() >= MAX_PENDING) { forced++; decodeDue(Double.MAX_VALUE); }
        pending.add(new Pending(f.toByteArray(), f.rtpTimestamp(), due));
    }

    /** Decodes the frames due by nowMs (in order: a decoder needs every frame). */
    void decodeDue(double nowMs) {
        while (!pending.isEmpty() && pending.peekFirst().dueMs() <= nowMs) {
            Pending p = pending.pollFirst();
            if (nowMs != Double.MAX_VALUE) { shown++; lateSum += nowMs - p.dueMs(); }
            Picture pic = decoder == null ? null : decoder.decode(p.data(), p.data().length, p.rtpTs());
            if (pic != null) picture = pic;
            else if (decoder != null && decoder.errors() > decodeErrors) decodeErrors = decoder.errors();
        }
    }

    /** The last decoded picture, or null before the first key frame. Owned by the decoder. */
    Picture picture() { return picture; }

    long inboxDropped() { return inbox.dropped; }

    FrameAssembler assembler() { return assembler; }

    @Override public void close() {
        picture = null;
        if (decoder != null) decoder.close();
        decoder = null;
    }
}
