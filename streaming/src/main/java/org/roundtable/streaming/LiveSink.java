package org.roundtable.streaming;

/**
 * A live output fed by a meeting's composition (an RTMP push, the built-in HLS stream). The composition
 * calls it on its own thread and must never wait on it: an implementation queues and does its network
 * or packaging work elsewhere (or does only bounded, non-blocking work inline), and drops, counting,
 * rather than blocks when it falls behind.
 *
 * <p>Order: {@link #open} once, then {@link #frame} with each track's times increasing (video and audio
 * interleaved by time, roughly); the first video frame after open is a key frame; {@link #close} once.
 */
public interface LiveSink {
    void open(LiveTracks tracks);
    void frame(LiveFrame frame);
    /** The program ended (the stream was stopped, or the meeting ended). */
    void close();
}
