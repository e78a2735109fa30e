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
    long frames, decodeErrors;

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
        inbox.offer(buf.array(), off, len, System.nanoTime() / 1_000_000L);
    }

    @Override public void onSourceRemoved(MediaSource s) { removed = true; }

    /** Moves the packets that came since the last tick through the assembler and the decoder. */
    void poll() { inbox.drain(assembler::push); }

    private void decode(EncodedFrame f) {
        if (decoder == null) return;
        frames++;
        Picture p = decoder.decode(f.data(), f.length(), f.rtpTimestamp());
        if (p != null) picture = p;
        else if (decoder.errors() > decodeErrors) decodeErrors = decoder.errors();
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
