package org.roundtable.mixer.video;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where each picture goes on a composed canvas: a pure function from the canvas size, a {@link Mode}
 * and the sources to tile rectangles. Fitting a source's aspect into its tile is the scaler's job
 * (it letterboxes); this only cuts cells. Every coordinate and size is even (yuv420p chroma), inside
 * the canvas, and no two tiles overlap; tiles are {@link #gap} pixels apart and from the edges.
 * <ul>
 *   <li>A content share (the first source marked content) takes the main area in both modes, and the
 *       others go to a filmstrip along the bottom.</li>
 *   <li>{@code SPEAKER}: the active speaker (or, with none, the first source) takes the main area,
 *       the others the filmstrip.</li>
 *   <li>{@code GRID}: ceil(sqrt(n)) columns and as many rows as needed, of equal 16:9 cells as big as
 *       fit, the block centred on the canvas and a short last row centred in it.</li>
 *   <li>The main area is everything above the filmstrip (or the whole canvas without one); the
 *       filmstrip has at most {@value #FILMSTRIP_MAX} 16:9 cells, at most a fifth of the canvas high.</li>
 *   <li>At most {@value #MAX_TILES} tiles are shown (the filmstrip at most {@value #FILMSTRIP_MAX}).
 *       When there are more sources, they are chosen by rank — content, then the speaker, then those
 *       with video, then the rest, each in list order — and shown in list order, so tiles do not move
 *       when someone starts speaking.</li>
 * </ul>
 * Output order: the main tile first (if any), then the others in list order.
 * Thread: any; stateless.
 */
public final class Layout {
    private Layout() {}

    public enum Mode { GRID, SPEAKER }

    /** One picture to place: a camera, or a screen share when content is set. */
    public record Source(String id, String name, boolean hasVideo, boolean content, boolean speaker) {}

    /** A cell on the canvas; main: the large picture of a speaker or content layout. */
    public record Tile(String id, int x, int y, int w, int h, boolean main) {}

    public static final int MAX_TILES = 16;
    public static final int FILMSTRIP_MAX = 6;
    public static final int MIN_CANVAS = 128, MAX_CANVAS = 8192;

    /** The gap between tiles and around them: about 1/90 of the shorter side, even, at least 2. */
    public static int gap(int width, int height) { return Math.max(2, even(Math.min(width, height) / 90)); }

    public static List<Tile> compute(int width, int height, Mode mode, List<Source> sources) {
        if (width < MIN_CANVAS || height < MIN_CANVAS || width > MAX_CANVAS || height > MAX_CANVAS
                || (width & 1) != 0 || (height & 1) != 0) {
            throw new IllegalArgumentException("canvas " + width + "x" + height + ": even, " + MIN_CANVAS + " to " + MAX_CANVAS);
        }
        if (mode == null) throw new NullPointerException("mode");
        if (sources.isEmpty()) return List.of();
        Source main = null;
        for (Source s : sources) if (s.content()) { main = s; break; }
        if (main == null && mode == Mode.SPEAKER) {
            main = sources.get(0);
            for (Source s : sources) if (s.speaker()) { main = s; break; }
        }
        int g = gap(width, height);
        if (main == null) return grid(width, height, g, pick(sources, MAX_TILES));
        List<Source> others = new ArrayList<>(sources);
        others.remove(main);
        return speaker(width, height, g, main, pick(others, FILMSTRIP_MAX));
    }

    private static List<Tile> grid(int width, int height, int g, List<Source> shown) {
        int n = shown.size();
        int cols = (int) Math.ceil(Math.sqrt(n));
        int rows = (n + cols - 1) / cols;
        int cw = even(Math.min((width - (cols + 1) * g) / cols, (height - (rows + 1) * g) / rows * 16 / 9));
        int ch = even(cw * 9 / 16);
        int y0 = even((height - (rows * ch + (rows - 1) * g)) / 2);
        List<Tile> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int r = i / cols, c = i % cols;
            int inRow = Math.min(cols, n - r * cols);
            int x0 = even((width - (inRow * cw + (inRow - 1) * g)) / 2);
            out.add(new Tile(shown.get(i).id(), x0 + c * (cw + g), y0 + r * (ch + g), cw, ch, false));
        }
        return out;
    }

    private static List<Tile> speaker(int width, int height, int g, Source main, List<Source> strip) {
        int k = strip.size();
        List<Tile> out = new ArrayList<>(k + 1);
        if (k == 0) {
            out.add(new Tile(main.id(), g, g, width - 2 * g, height - 2 * g, true));
            return out;
        }
        int sw = even(Math.min((width - (k + 1) * g) / k, even(height / 5) * 16 / 9));
        int sh = even(sw * 9 / 16);
        int sy = height - g - sh;
        out.add(new Tile(main.id(), g, g, width - 2 * g, sy - 2 * g, true));
        int x0 = even((width - (k * sw + (k - 1) * g)) / 2);
        for (int i = 0; i < k; i++) out.add(new Tile(strip.get(i).id(), x0 + i * (sw + g), sy, sw, sh, false));
        return out;
    }

    /** Up to max sources, chosen by rank, in list order. */
    private static List<Source> pick(List<Source> sources, int max) {
        if (sources.size() <= max) return sources;
        List<Integer> idx = new ArrayList<>(sources.size());
        for (int i = 0; i < sources.size(); i++) idx.add(i);
        idx.sort(Comparator.comparingInt((Integer i) -> -rank(sources.get(i))).thenComparingInt(i -> i));
        List<Integer> chosen = new ArrayList<>(idx.subList(0, max));
        chosen.sort(null);
        List<Source> out = new ArrayList<>(max);
        for (int i : chosen) out.add(sources.get(i));
        return out;
    }

    private static int rank(Source s) { return s.content() ? 3 : s.speaker() ? 2 : s.hasVideo() ? 1 : 0; }

    private static int even(int v) { return v & ~1; }
}
