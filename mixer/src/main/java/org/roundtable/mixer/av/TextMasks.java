package org.roundtable.mixer.av;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders names into 8-bit coverage masks with Java2D (headless), for {@link Canvas#label} to blend into
 * the luma plane; keeps the last few hundred (text, size) masks, since the same names are drawn on
 * every frame. The logical font "SansSerif" maps to what fontconfig has: with no CJK font installed
 * (a bare Debian has only DejaVu) CJK names come out as boxes, never as an exception.
 * Thread: the composition thread; not thread-safe.
 */
final class TextMasks {
    /** A rendered text: {@code alpha[y * width + x]} is its coverage, 0..255. */
    record Mask(int width, int height, byte[] alpha) {}

    private static final int MAX_WIDTH = 4096;
    private static final int CACHED = 256;
    private final Map<String, Mask> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, Mask> e) { return size() > CACHED; }
    };

    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** The mask of {@code text} in bold SansSerif of {@code px} pixels (line height {@code px * 1.25}). */
    Mask render(String text, int px) {
        String key = px + "\u0000" + text;
        Mask m = cache.get(key);
        if (m == null) {
            m = draw(text, Math.max(4, px));
            cache.put(key, m);
        }
        return m;
    }

    private static Mask draw(String text, int px) {
        Font font = new Font(Font.SANS_SERIF, Font.BOLD, px);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        int w = Math.max(1, Math.min(MAX_WIDTH, fm.stringWidth(text)));
        int h = Math.max(1, fm.getAscent() + fm.getDescent());
        int ascent = fm.getAscent();
        pg.dispose();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setColor(java.awt.Color.WHITE);
        g.setFont(font);
        g.drawString(text, 0, ascent);
        g.dispose();
        byte[] alpha = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        return new Mask(w, h, alpha);
    }
}
