package org.roundtable.mixer.av;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;

import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * A decoded or composed picture: a view of an FFmpeg {@code AVFrame} in whatever pixel format it came
 * in (decoders give yuv420p or yuvj420p; the {@link Canvas} is yuv420p). A picture a decoder returns
 * belongs to the decoder and is valid until its next {@code decode} or {@code close}; one made by
 * {@link #allocate} belongs to its caller, who closes it.
 * Thread: the composition thread; not thread-safe.
 */
public final class Picture implements AutoCloseable {
    final AVFrame frame;
    private final boolean owned;
    private boolean closed;

    private Picture(AVFrame frame, boolean owned) {
        this.frame = frame;
        this.owned = owned;
    }

    /** A new yuv420p picture of even size, contents undefined (its caller closes it). */
    public static Picture allocate(int width, int height) {
        if (width <= 0 || height <= 0 || (width & 1) != 0 || (height & 1) != 0) {
            throw new IllegalArgumentException("yuv420p needs an even, positive size: " + width + "x" + height);
        }
        AvLibrary.ensureLoaded();
        AVFrame f = av_frame_alloc();
        if (f == null) throw new OutOfMemoryError("av_frame_alloc");
        f.format(AV_PIX_FMT_YUV420P).width(width).height(height);
        int ret = av_frame_get_buffer(f, 32);
        if (ret < 0) {
            av_frame_free(f);
            throw new OutOfMemoryError("av_frame_get_buffer: " + AvLibrary.errorString(ret));
        }
        return new Picture(f, true);
    }

    /** A view of a frame someone else owns and frees. */
    static Picture wrap(AVFrame frame) { return new Picture(frame, false); }

    public int width() { return frame.width(); }
    public int height() { return frame.height(); }
    /** The {@code AVPixelFormat}, e.g. {@code AV_PIX_FMT_YUV420P}. */
    public int pixelFormat() { return frame.format(); }
    /** The presentation time stamp the picture was decoded with (the caller's units). */
    public long pts() { return frame.pts(); }

    /** One 8-bit sample of plane 0 (luma), 1 or 2 (chroma, at half resolution for 4:2:0). */
    public int sample(int plane, int x, int y) {
        return frame.data(plane).get((long) y * frame.linesize(plane) + x) & 0xff;
    }

    /** The mean luma over a rectangle (a test and diagnostics helper; not for the frame loop). */
    public double meanLuma(int x, int y, int w, int h) {
        long sum = 0;
        byte[] row = new byte[w];
        org.bytedeco.javacpp.BytePointer luma = frame.data(0);
        for (int j = y; j < y + h; j++) {
            luma.position((long) j * frame.linesize(0) + x).get(row);
            for (byte b : row) sum += b & 0xff;
        }
        return (double) sum / ((long) w * h);
    }

    @Override public void close() {
        if (closed || !owned) return;
        closed = true;
        av_frame_free(frame);
    }
}
