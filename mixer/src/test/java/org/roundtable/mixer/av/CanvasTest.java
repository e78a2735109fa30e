package org.roundtable.mixer.av;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CanvasTest {
    @Test
    void startsDarkGreyAndFillsRectangles() {
        try (Canvas c = new Canvas()) {
            Picture p = c.picture();
            assertEquals(1280, p.width());
            assertEquals(720, p.height());
            assertEquals(Canvas.BACKGROUND_Y, p.sample(0, 640, 360));
            c.fill(100, 50, 200, 100, 200, 60, 70);
            assertEquals(200, p.sample(0, 100, 50));
            assertEquals(200, p.sample(0, 299, 149));
            assertEquals(Canvas.BACKGROUND_Y, p.sample(0, 300, 150));
            assertEquals(60, p.sample(1, 50, 25));
            assertEquals(70, p.sample(2, 149, 74));
        }
    }

    @Test
    void rectanglesOutsideTheCanvasAreClipped() {
        try (Canvas c = new Canvas(320, 240); Picture src = Picture.allocate(64, 64)) {
            c.fill(-50, -50, 100, 100, 200, 128, 128);
            c.fill(1000, 1000, 10, 10, 0, 0, 0);
            c.fill(10, 10, -5, 0, 0, 0, 0);
            c.draw(src, -30, 200, 400, 400);
            c.label("clipped", 300, 230, 200, 40);
            c.nameTile("Off Screen", -100, 100, 150, 150);
            c.fill(300, 200, 500, 500, 180, 128, 128);
            assertEquals(200, c.picture().sample(0, 0, 0));
            assertEquals(180, c.picture().sample(0, 319, 239));
        }
    }

    @Test
    void drawNeverWritesPastTheTilesRightEdge() {
        try (Canvas src = new Canvas(640, 360); Canvas dst = new Canvas(1280, 720)) {
            src.fill(0, 0, 640, 360, 235, 128, 128);
            for (int w : new int[] {634, 622, 402, 318, 130}) {
                dst.clear();
                dst.draw(src.picture(), 2, 10, w, w * 9 / 16 + 40);
                for (int x = 2 + w; x < 2 + w + 24; x++)
                    assertEquals(Canvas.BACKGROUND_Y, dst.picture().sample(0, x, 10 + w * 9 / 32), "column " + x + " right of a " + w + "-wide tile");
            }
        }
    }

    @Test
    void drawKeepsTheAspectRatioWithBlackBars() {
        try (Canvas src = new Canvas(640, 480); Canvas dst = new Canvas(1280, 720)) {
            src.fill(0, 0, 640, 480, 200, 128, 128);
            dst.draw(src.picture(), 100, 100, 400, 400);   // 4:3 into a square: 400x300, bars of 50 above and below
            Picture p = dst.picture();
            assertEquals(16, p.sample(0, 300, 120));        // top bar
            assertEquals(16, p.sample(0, 300, 480));        // bottom bar
            assertEquals(200, p.sample(0, 300, 300), 2);    // picture
            assertEquals(200, p.sample(0, 102, 152), 2);
            assertEquals(200, p.sample(0, 497, 447), 2);
            assertEquals(Canvas.BACKGROUND_Y, p.sample(0, 99, 300)); // outside the rectangle: untouched
            dst.draw(src.picture(), 600, 100, 400, 100);    // into a wide strip: pillarbox, 132x100 in the middle
            assertEquals(16, p.sample(0, 610, 150));
            assertEquals(200, p.sample(0, 800, 150), 2);
        }
    }

    @Test
    void drawsManySizesWithAFewScalers() {
        try (Canvas src = new Canvas(320, 180); Canvas dst = new Canvas()) {
            for (int i = 0; i < 100; i++) dst.draw(src.picture(), i, i, 64 + i * 8, 36 + i * 4);
        }
    }

    @Test
    void labelsBrightenTextOnADarkBox() {
        try (Canvas c = new Canvas()) {
            c.fill(0, 0, 1280, 720, 120, 128, 128);
            c.label("Ada Lovelace", 20, 600, 600, 48);
            Picture p = c.picture();
            int bright = 0, dark = 0;
            for (int y = 600; y < 648; y++) {
                for (int x = 20; x < 400; x++) {
                    int v = p.sample(0, x, y);
                    if (v > 200) bright++;
                    if (v < 60) dark++;
                }
            }
            assertTrue(bright > 300, "text pixels " + bright);
            assertTrue(dark > 3000, "box pixels " + dark);
            assertEquals(120, p.sample(0, 700, 620));       // beyond the text's box
            assertEquals(120, p.sample(0, 20, 660));
        }
    }

    @Test
    void anyNameIsDrawnWithoutAnException() {
        try (Canvas c = new Canvas()) {
            String[] names = {"李小龍", "Zoë Ångström", "محمد", "😀 party", "", "   ", "x".repeat(500), "Ω", "\u0000\t"};
            for (String n : names) {
                c.label(n, 0, 0, 1280, 40);
                c.nameTile(n, 0, 100, 320, 180);
            }
            c.label(null, 0, 0, 100, 30);
            c.nameTile(null, 0, 0, 100, 100);
        }
    }

    @Test
    void nameTilesShowInitials() {
        assertEquals("AL", Canvas.initials("Ada Lovelace"));
        assertEquals("G", Canvas.initials("grace"));
        assertEquals("JH", Canvas.initials("  John von Herz "));
        assertEquals("李", Canvas.initials("李小龍"));
        try (Canvas c = new Canvas()) {
            c.nameTile("Ada Lovelace", 640, 360, 640, 360);
            Picture p = c.picture();
            assertTrue(p.meanLuma(640, 360, 640, 360) > Canvas.BACKGROUND_Y + 20);
            int bright = 0;
            for (int y = 440; y < 640; y++) for (int x = 800; x < 1120; x += 2) if (p.sample(0, x, y) > 200) bright++;
            assertTrue(bright > 500, "initials pixels " + bright);
        }
    }

    @Test
    void oddSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Canvas(641, 360));
        assertThrows(IllegalArgumentException.class, () -> Picture.allocate(0, 2));
    }
}
