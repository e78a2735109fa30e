package org.roundtable.mixer.video;

/**
 * Turns the RTP payloads of one frame, given in sequence order, into the codec's frame bytes. The
 * {@link FrameAssembler} decides which packets form a frame; a depacketizer only knows its payload
 * format. Call order per frame: {@link #reset()}, {@link #append} for each payload, {@link #finish}.
 * Thread: the assembler's (the composition's thread); not thread-safe.
 */
public interface Depacketizer {
    VideoCodec codec();

    /** Forgets the previous frame. */
    void reset();

    /** Whether this payload, by the payload format alone, can be the first packet of a frame. */
    boolean isFrameStart(byte[] b, int off, int len);

    /** Appends this payload's media to out; false if the payload is malformed or not supported. */
    boolean append(byte[] b, int off, int len, FrameBuffer out);

    /** Ends the frame; false if what was appended is not a whole frame. Sets keyframe, width, height. */
    boolean finish(FrameBuffer out);

    boolean keyframe();

    /** Width the finished frame states, or 0. */
    int width();

    /** Height the finished frame states, or 0. */
    int height();
}
