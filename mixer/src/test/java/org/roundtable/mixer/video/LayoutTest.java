package org.roundtable.mixer.video;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.roundtable.mixer.video.Layout.Mode;
import org.roundtable.mixer.video.Layout.Source;
import org.roundtable.mixer.video.Layout.Tile;

/** Tile rectangles: exact cells for the common counts; always even, inside, apart. */
class LayoutTest {
    static final int W = 1280, H = 720;

    static List<Source> cams(int n) {
        List<Source> s = new ArrayList<>();
        for (int i = 0; i < n; i++) s.add(new Source("p" + i, "Person " + i, true, false, false));
        return s;
    }

    static Source content(String id) { return new Source(id, "Screen", true, true, false); }
    static Source speaking(String id) { return new Source(id, "Speaker", true, false, true); }

    static Tile t(String id, int x, int y, int w, int h, boolean main) { return new Tile(id, x, y, w, h, main); }

    /** Even, inside the canvas, no two overlapping, at least the gap apart. */
    static void checkSane(int w, int h, List<Tile> tiles) {
        int g = Layout.gap(w, h);
        for (Tile a : tiles) {
            assertTrue(a.x() % 2 == 0 && a.y() % 2 == 0 && a.w() % 2 == 0 && a.h() % 2 == 0, "odd: " + a);
            assertTrue(a.w() > 0 && a.h() > 0, "empty: " + a);
            assertTrue(a.x() >= g && a.y() >= g && a.x() + a.w() <= w - g && a.y() + a.h() <= h - g, "outside: " + a);
            for (Tile b : tiles) {
                if (a == b) continue;
                boolean apart = a.x() + a.w() + g <= b.x() || b.x() + b.w() + g <= a.x()
                        || a.y() + a.h() + g <= b.y() || b.y() + b.h() + g <= a.y();
                assertTrue(apart, a + " and " + b);
            }
        }
        assertEquals(tiles.size(), tiles.stream().map(Tile::id).distinct().count(), "an id twice");
    }

    @Test
    void gridCellsExactly() {
        assertEquals(8, Layout.gap(W, H));
        assertEquals(List.of(t("p0", 14, 8, 1250, 702, false)), Layout.compute(W, H, Mode.GRID, cams(1)));
        assertEquals(List.of(t("p0", 8, 184, 628, 352, false), t("p1", 644, 184, 628, 352, false)),
                Layout.compute(W, H, Mode.GRID, cams(2)));
        assertEquals(List.of(t("p0", 8, 122, 416, 234, false), t("p1", 432, 122, 416, 234, false),
                t("p2", 856, 122, 416, 234, false), t("p3", 220, 364, 416, 234, false), t("p4", 644, 364, 416, 234, false)),
                Layout.compute(W, H, Mode.GRID, cams(5)), "a short last row is centred");
        List<Tile> sixteen = Layout.compute(W, H, Mode.GRID, cams(16));
        assertEquals(t("p0", 24, 12, 302, 168, false), sixteen.get(0));
        assertEquals(t("p15", 24 + 3 * 310, 12 + 3 * 176, 302, 168, false), sixteen.get(15));
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "2,2,1", "3,2,2", "4,2,2", "5,3,2", "9,3,3", "10,4,3", "16,4,4"})
    void gridShapesAndSanity(int n, int cols, int rows) {
        for (int[] canvas : new int[][] {{1280, 720}, {1920, 1080}, {640, 360}, {720, 1280}, {128, 128}}) {
            List<Tile> tiles = Layout.compute(canvas[0], canvas[1], Mode.GRID, cams(n));
            assertEquals(n, tiles.size());
            checkSane(canvas[0], canvas[1], tiles);
            assertEquals(cols, tiles.stream().filter(x -> x.y() == tiles.get(0).y()).count());
            assertEquals(rows, tiles.stream().mapToInt(Tile::y).distinct().count());
            assertTrue(tiles.stream().noneMatch(Tile::main));
            Tile a = tiles.get(0);
            assertEquals(a.w() * 9.0 / 16, a.h(), 2, "16:9 cells (to the even pixel): " + a);
            assertTrue(tiles.stream().allMatch(x -> x.w() == a.w() && x.h() == a.h()));
        }
    }

    @Test
    void speakerModeSpeakerLargeOthersInTheFilmstrip() {
        List<Source> s = new ArrayList<>(cams(4));
        s.set(2, speaking("p2"));
        List<Tile> tiles = Layout.compute(W, H, Mode.SPEAKER, s);
        assertEquals(List.of(t("p2", 8, 8, 1264, 552, true), t("p0", 248, 568, 256, 144, false),
                t("p1", 512, 568, 256, 144, false), t("p3", 776, 568, 256, 144, false)), tiles);
        checkSane(W, H, tiles);
    }

    @Test
    void speakerModeWithoutSpeakerTakesTheFirstAndAloneFillsTheCanvas() {
        assertEquals("p0", Layout.compute(W, H, Mode.SPEAKER, cams(3)).get(0).id());
        assertEquals(List.of(t("p0", 8, 8, 1264, 704, true)), Layout.compute(W, H, Mode.SPEAKER, cams(1)));
    }

    @Test
    void contentTakesTheMainAreaInBothModes() {
        List<Source> s = new ArrayList<>(cams(3));
        s.add(1, content("screen"));
        for (Mode m : Mode.values()) {
            List<Tile> tiles = Layout.compute(W, H, m, s);
            assertEquals(List.of(t("screen", 8, 8, 1264, 552, true), t("p0", 248, 568, 256, 144, false),
                    t("p1", 512, 568, 256, 144, false), t("p2", 776, 568, 256, 144, false)), tiles, m.name());
        }
        assertEquals(List.of(t("screen", 8, 8, 1264, 704, true)), Layout.compute(W, H, Mode.GRID, List.of(content("screen"))));
    }

    @Test
    void filmstripShowsSixChosenByRankInListOrder() {
        List<Source> s = new ArrayList<>();
        for (int i = 0; i < 9; i++) s.add(new Source("p" + i, "P", i % 2 == 0, false, false));   // p1, p3.. no video
        s.set(7, speaking("p7"));
        s.add(content("screen"));
        List<Tile> tiles = Layout.compute(W, H, Mode.SPEAKER, s);
        assertEquals(7, tiles.size());
        assertEquals("screen", tiles.get(0).id());
        // ranked: the speaker p7, then with video p0 p2 p4 p6 p8; p1 p3 p5 have none; shown in list order
        assertEquals(List.of("p0", "p2", "p4", "p6", "p7", "p8"), tiles.subList(1, 7).stream().map(Tile::id).toList());
        assertEquals(t("screen", 8, 8, 1264, 582, true), tiles.get(0));
        assertEquals(t("p0", 8, 598, 204, 114, false), tiles.get(1));
        assertEquals(t("p8", 8 + 5 * 212, 598, 204, 114, false), tiles.get(6));
        checkSane(W, H, tiles);
    }

    @Test
    void gridCapsAtSixteenKeepingTheSpeaker() {
        List<Source> s = new ArrayList<>(cams(20));
        s.set(19, speaking("p19"));
        s.set(0, new Source("p0", "no camera", false, false, false));
        List<Tile> tiles = Layout.compute(W, H, Mode.GRID, s);
        assertEquals(16, tiles.size());
        List<String> ids = tiles.stream().map(Tile::id).toList();
        assertEquals("p1", ids.get(0), "without video p0 gives way");
        assertEquals("p19", ids.get(15), "the speaker is kept, in list order");
        assertFalse(ids.contains("p16"));
        checkSane(W, H, tiles);
    }

    @Test
    void badInput() {
        assertEquals(List.of(), Layout.compute(W, H, Mode.GRID, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Layout.compute(1281, 720, Mode.GRID, cams(1)));
        assertThrows(IllegalArgumentException.class, () -> Layout.compute(1280, 719, Mode.GRID, cams(1)));
        assertThrows(IllegalArgumentException.class, () -> Layout.compute(64, 64, Mode.GRID, cams(1)));
        assertThrows(NullPointerException.class, () -> Layout.compute(W, H, null, cams(1)));
    }
}
