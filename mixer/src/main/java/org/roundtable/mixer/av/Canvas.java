package org.roundtable.mixer.av;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The composed picture of a recording: a yuv420p frame (1280x720 unless told otherwise) that the layout
 * paints each frame with participants' pictures ({@link #draw}, scaled by swscale, aspect ratio kept),
 * plain rectangles ({@link #fill}), name labels ({@link #label}) and tiles for members without video
 * ({@link #nameTile}), then hands to the {@link H264Encoder}. Rectangles are clipped to the canvas and
 * snapped to even pixels (4:2:0 chroma). One swscale context is kept per (source size and format,
 * target size): a layout of N tiles reuses N contexts from frame to frame.
 * Thread: the composition thread; not thread-safe.
 */
public final class Canvas implements AutoCloseable {
    /** Background luma and chroma: a dark grey. */
    public static final int BACKGROUND_Y = 24, BACKGROUND_U = 128, BACKGROUND_V = 128;
    private static final int BLACK_Y = 16;
    private static final int SCALERS = 16;
    /** Muted tile colours (Y, U, V) for members without video, chosen by a hash of the name. */
    private static final int[][] TILE_COLOURS = {
        {70, 150, 110}, {75, 110, 150}, {80, 150, 150}, {70, 120, 100}, {85, 100, 135}, {65, 145, 125}};

    private final int width, height;
    private final Picture picture;
    private final ByteBuffer[] planes = new ByteBuffer[3];
    private final int[] stride = new int[3];
    private final BytePointer[] dstPlane = new BytePointer[3];
    private final PointerPointer<BytePointer> dstPointers = new PointerPointer<>(4);
    private final IntPointer dstStrides = new IntPointer(4);
    private final byte[] row;
    private final TextMasks masks = new TextMasks();
    private final Map<ScaleKey, SwsContext> scalers = new LinkedHashMap<>(32, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<ScaleKey, SwsContext> e) {
            if (size() <= SCALERS) return false;
            sws_freeContext(e.getValue());
            return true;
        }
    };
    private boolean closed;

    private record ScaleKey(int srcW, int srcH, int srcFormat, int dstW, int dstH) {}

    public Canvas() { this(1280, 720); }

    public Canvas(int width, int height) {
        this.picture = Picture.allocate(width, height);
        this.width = width;
        this.height = height;
        for (int p = 0; p < 3; p++) {
            stride[p] = picture.frame.linesize(p);
            int rows = p == 0 ? height : height / 2;
            BytePointer base = picture.frame.data(p);
            planes[p] = base.capacity((long) stride[p] * rows).asByteBuffer();
            dstPlane[p] = new BytePointer(base);
            dstStrides.put(p, stride[p]);
        }
        row = new byte[width];
        clear();
    }

    public int width() { return width; }
    public int height() { return height; }
    /** The composed picture (owned by the canvas; valid until {@link #close}). */
    public Picture picture() { return picture; }

    /** Paints the whole canvas with the background. */
    public void clear() { fill(0, 0, width, height, BACKGROUND_Y, BACKGROUND_U, BACKGROUND_V); }

    /** Paints a rectangle with one colour (limited-range Y, U, V: black is 16/128/128). */
    public void fill(int x, int y, int w, int h, int yv, int u, int v) {
        int x0 = even(Math.max(0, x)), y0 = even(Math.max(0, y));
        int x1 = even(Math.min(width, x + w)), y1 = even(Math.min(height, y + h));
        if (x1 <= x0 || y1 <= y0) return;
        fillPlane(0, x0, y0, x1 - x0, y1 - y0, yv);
        fillPlane(1, x0 / 2, y0 / 2, (x1 - x0) / 2, (y1 - y0) / 2, u);
        fillPlane(2, x0 / 2, y0 / 2, (x1 - x0) / 2, (y1 - y0) / 2, v);
    }

    private void fillPlane(int p, int x, int y, int w, int h, int value) {
        Arrays.fill(row, 0, w, (byte) value);
        for (int j = y; j < y + h; j++) planes[p].put(j * stride[p] + x, row, 0, w);
    }

    /**
     * Scales a picture into a rectangle, keeping its aspect ratio: it is centred, and the bars left over
     * (letterbox or pillarbox) are black.
     */
    public void draw(Picture src, int x, int y, int w, int h) {
        int sw = src.width(), sh = src.height();
        int x0 = even(Math.max(0, x)), y0 = even(Math.max(0, y));
        int rw = even(Math.min(width, x + w) - x0), rh = even(Math.min(height, y + h) - y0);
        if (sw <= 0 || sh <= 0 || rw < 2 || rh < 2) return;
        double scale = Math.min((double) rw / sw, (double) rh / sh);
        int dw = Math.max(2, Math.min(rw, even((int) Math.round(sw * scale))));
        // swscale's vector code writes whole 16-pixel runs: a width that is not a multiple of 16 spills a few
        // pixels past the tile's right edge (a light strip in the gap), so round down
        if (dw >= 16) dw &= ~15;
        int dh = Math.max(2, Math.min(rh, even((int) Math.round(sh * scale))));
        if (dw < rw || dh < rh) fill(x0, y0, rw, rh, BLACK_Y, 128, 128);
        int dx = x0 + even((rw - dw) / 2), dy = y0 + even((rh - dh) / 2);
        SwsContext sws = scaler(sw, sh, src.pixelFormat(), dw, dh);
        if (sws == null) return;
        dstPointers.put(0, dstPlane[0].position((long) dy * stride[0] + dx));
        dstPointers.put(1, dstPlane[1].position((long) (dy / 2) * stride[1] + dx / 2));
        dstPointers.put(2, dstPlane[2].position((long) (dy / 2) * stride[2] + dx / 2));
        sws_scale(sws, src.frame.data(), src.frame.linesize(), 0, sh, dstPointers, dstStrides);
    }

    private SwsContext scaler(int sw, int sh, int format, int dw, int dh) {
        ScaleKey key = new ScaleKey(sw, sh, format, dw, dh);
        SwsContext sws = scalers.get(key);
        if (sws == null) {
            sws = sws_getCachedContext(null, sw, sh, format, dw, dh, AV_PIX_FMT_YUV420P, SWS_BILINEAR,
                    null, null, (DoublePointer) null);
            if (sws == null) return null;   // a format swscale cannot read: leave the tile as it is
            scalers.put(key, sws);
        }
        return sws;
    }

    /**
     * Writes a name over the bottom-left of a rectangle: white text, as tall as about 60% of {@code h},
     * on a darkened box as wide as the text (at most {@code w}; longer names are cut).
     */
    public void label(String text, int x, int y, int w, int h) {
        if (text == null || text.isBlank() || h < 8) return;
        TextMasks.Mask m = masks.render(text, (int) (h * 0.62));
        int pad = Math.max(2, h / 4);
        int bw = Math.min(w, m.width() + 2 * pad);
        darken(x, y, bw, h);
        blend(m, x + pad, y + (h - m.height()) / 2, x, y, bw - pad, h);
    }

    /**
     * A tile for a member without video (audio only, or a phone): a colour of their own, their initials
     * in the middle and their name along the bottom.
     */
    public void nameTile(String name, int x, int y, int w, int h) {
        String n = name == null || name.isBlank() ? "?" : name.strip();
        int[] c = TILE_COLOURS[Math.floorMod(n.hashCode(), TILE_COLOURS.length)];
        fill(x, y, w, h, c[0], c[1], c[2]);
        TextMasks.Mask m = masks.render(initials(n), Math.max(8, Math.min(h * 35 / 100, w / 3)));
        blend(m, x + (w - m.width()) / 2, y + (h - m.height()) / 2, x, y, w, h);
        int lh = Math.max(12, Math.min(48, h / 8));
        if (h >= 4 * lh) label(n, x, y + h - lh, w, lh);
    }

    /** The first letters of the first and last words, upper case ("Ada Lovelace" gives "AL"). */
    static String initials(String name) {
        String[] words = name.strip().split("\\s+");
        StringBuilder sb = new StringBuilder().appendCodePoint(words[0].codePointAt(0));
        if (words.length > 1) sb.appendCodePoint(words[words.length - 1].codePointAt(0));
        return sb.toString().toUpperCase(Locale.ROOT);
    }

    /** Darkens a rectangle to about a third, pulling its colours towards grey. */
    private void darken(int x, int y, int w, int h) {
        int x0 = even(Math.max(0, x)), y0 = even(Math.max(0, y));
        int x1 = even(Math.min(width, x + w)), y1 = even(Math.min(height, y + h));
        if (x1 <= x0 || y1 <= y0) return;
        for (int p = 0; p < 3; p++) {
            int s = p == 0 ? 1 : 2;
            int n = (x1 - x0) / s;
            for (int j = y0 / s; j < y1 / s; j++) {
                int off = j * stride[p] + x0 / s;
                planes[p].get(off, row, 0, n);
                for (int i = 0; i < n; i++) {
                    int v = row[i] & 0xff;
                    row[i] = (byte) (p == 0 ? 16 + (v - 16) * 35 / 100 : 128 + (v - 128) * 35 / 100);
                }
                planes[p].put(off, row, 0, n);
            }
        }
    }

    /** Blends a white mask into the luma plane at (tx, ty), clipped to the given box and the canvas. */
    private void blend(TextMasks.Mask m, int tx, int ty, int bx, int by, int bw, int bh) {
        int cx0 = Math.max(Math.max(0, bx), tx), cy0 = Math.max(Math.max(0, by), ty);
        int cx1 = Math.min(Math.min(width, bx + bw), tx + m.width());
        int cy1 = Math.min(Math.min(height, by + bh), ty + m.height());
        if (cx1 <= cx0 || cy1 <= cy0) return;
        int n = cx1 - cx0;
        byte[] alpha = m.alpha();
        for (int j = cy0; j < cy1; j++) {
            int off = j * stride[0] + cx0;
            planes[0].get(off, row, 0, n);
            int a0 = (j - ty) * m.width() + (cx0 - tx);
            for (int i = 0; i < n; i++) {
                int a = alpha[a0 + i] & 0xff;
                if (a == 0) continue;
                int v = row[i] & 0xff;
                row[i] = (byte) (v + (235 - v) * a / 255);
            }
            planes[0].put(off, row, 0, n);
        }
    }

    private static int even(int v) { return v & ~1; }

    @Override public void close() {
        if (closed) return;
        closed = true;
        scalers.values().forEach(s -> sws_freeContext(s));
        scalers.clear();
        dstPointers.close();
        dstStrides.close();
        picture.close();
    }
}
