package org.roundtable.bridge.router;

import io.netty.buffer.ByteBuf;

/**
 * Something that receives a {@link MediaSource}'s packets: a WebRTC receiver's {@link DownTrack}, and later
 * the mixer, the recorder and live-stream outputs. Called on the media loop with a decrypted, normalised
 * RTP packet (RTX unwrapped). The buffer belongs to the caller: retain it to keep it.
 */
public interface Subscription {
    void onRtp(MediaSource source, ByteBuf buf, int off, int len, int headerLen, boolean keyframe);

    /** The source is gone (its publisher left or stopped the track). Called on the media loop. */
    default void onSourceRemoved(MediaSource source) {}
}
