package org.roundtable.mixer.compose;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roundtable.mixer.av.Canvas;
import org.roundtable.mixer.av.Picture;
import org.roundtable.mixer.video.Layout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws the layout into the canvas: each tile's last decoded picture scaled in (aspect kept) with the
 * member's name under it, members without video as name tiles. The {@link Program} encodes it.
 * Thread: the composition thread; not thread-safe.
 */
final class Renderer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Renderer.class);
    private final Composition.Config cfg;
    private final Canvas canvas;

    /** A tile's source for the layout and the input that shows it (null: a name tile). */
    record Cell(Layout.Source source, VideoInput input) {}

    Renderer(Composition.Config cfg) {
        this.cfg = cfg;
        this.canvas = new Canvas(cfg.width(), cfg.height());
    }

    /** Composes one picture. */
    void draw(List<Cell> cells) {
        canvas.clear();
        if (cells.isEmpty()) return;
        List<Layout.Source> sources = new ArrayList<>(cells.size());
        Map<String, Cell> byId = new HashMap<>();
        for (Cell c : cells) { sources.add(c.source()); byId.put(c.source().id(), c); }
        for (Layout.Tile t : Layout.compute(cfg.width(), cfg.height(), cfg.mode(), sources)) {
            Cell c = byId.get(t.id());
            if (c == null) continue;
            String name = c.source().name();
            Picture p = c.input() == null ? null : c.input().picture();
            if (p == null) {
                canvas.nameTile(name, t.x(), t.y(), t.w(), t.h());
                continue;
            }
            canvas.draw(p, t.x(), t.y(), t.w(), t.h());
            int lh = Math.max(14, Math.min(40, t.h() / 9)) & ~1;
            if (t.h() > 3 * lh) canvas.label(c.source().content() ? name + " (screen)" : name, t.x(), t.y() + t.h() - lh, t.w(), lh);
        }
    }

    /** The last picture drawn. */
    org.roundtable.mixer.av.Picture picture() { return canvas.picture(); }

    @Override public void close() { canvas.close(); }
}
