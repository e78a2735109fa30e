package org.roundtable.mixer.video;

import java.util.Arrays;

/**
 * One complete encoded picture, ready for a decoder: H.264 as an Annex B byte stream (a 4-byte start
 * code 00 00 00 01 before each NAL unit, as FFmpeg's h264 decoder takes it), VP8 as the raw frame
 * (RFC 7741 descriptors stripped). Width and height are those the frame itself states (a VP8 key frame
 * header, an H.264 SPS in the frame), else 0.
 *
 * <p>The {@link FrameAssembler} hands out one reused instance whose {@link #data()} is its own reused
 * buffer: a consumer must use the frame within the callback, or keep {@link #copy()}.
 * Thread: the thread that owns the assembler (the composition's thread); not thread-safe.
 */
public final class EncodedFrame {
    private VideoCodec codec;
    private byte[] data;
    private int length;
    private long rtpTimestamp;
    private boolean keyframe;
    private int width, height;
    private long arrivalMs;

    public EncodedFrame(VideoCodec codec, byte[] data, int length, long rtpTimestamp, boolean keyframe,
            int width, int height, long arrivalMs) {
        set(codec, data, length, rtpTimestamp, keyframe, width, height, arrivalMs);
    }

    void set(VideoCodec codec, byte[] data, int length, long rtpTimestamp, boolean keyframe,
            int width, int height, long arrivalMs) {
        if (length < 0 || length > data.length) throw new IllegalArgumentException("length " + length);
        this.codec = codec;
        this.data = data;
        this.length = length;
        this.rtpTimestamp = rtpTimestamp & 0xFFFFFFFFL;
        this.keyframe = keyframe;
        this.width = width;
        this.height = height;
        this.arrivalMs = arrivalMs;
    }

    public VideoCodec codec() { return codec; }
    /** The frame's bytes are data()[0, length()); the array may be longer and, from an assembler, is reused. */
    public byte[] data() { return data; }
    public int length() { return length; }
    /** The 32-bit RTP timestamp, unsigned. */
    public long rtpTimestamp() { return rtpTimestamp; }
    public boolean keyframe() { return keyframe; }
    /** Width in pixels as the frame states it, or 0. */
    public int width() { return width; }
    /** Height in pixels as the frame states it, or 0. */
    public int height() { return height; }
    /** The arrival time (the caller's clock) of the frame's last-arrived packet. */
    public long arrivalMs() { return arrivalMs; }

    /** The frame's bytes in a new array of exactly length(). */
    public byte[] toByteArray() { return Arrays.copyOf(data, length); }

    /** A detached copy that owns its bytes. */
    public EncodedFrame copy() {
        return new EncodedFrame(codec, toByteArray(), length, rtpTimestamp, keyframe, width, height, arrivalMs);
    }

    @Override public String toString() {
        return codec + (keyframe ? " key" : " delta") + " frame ts=" + rtpTimestamp + " " + length + " bytes"
                + (width > 0 ? " " + width + "x" + height : "");
    }
}
