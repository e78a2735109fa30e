package org.roundtable.bench.compose;

/**
 * A synthetic webcam picture in yuv420p, as a video call sees one: a still room behind (a wall with a
 * gradient and a faint fixed texture, a bookcase, a picture on the wall), a person in front (shirt,
 * neck, head with hair, eyes that blink, a mouth that moves as they talk) who sways and nods slowly,
 * and a little sensor noise that changes every frame. Each source index gets its own room colours,
 * seat position and motion phase, so no two sources are alike.
 * Thread: one caller; not thread-safe (the noise generator is per instance).
 */
final class CameraScene {
    /** Bumped when the picture changes, so cached encodings made from the old one are not reused. */
    static final int VERSION = 1;

    final int width, height;
    private final int index;
    private final byte[] bgY, bgU, bgV;
    private final int shirtU, shirtV, shirtY, seat;
    private final double phase;
    private long noise;

    CameraScene(int width, int height, int index) {
        if ((width & 1) != 0 || (height & 1) != 0) throw new IllegalArgumentException("even size: " + width + "x" + height);
        this.width = width;
        this.height = height;
        this.index = index;
        this.phase = index * 0.9;
        this.noise = 0x9E3779B97F4A7C15L * (index + 1);
        int[][] shirts = {{90, 160}, {160, 100}, {110, 110}, {150, 150}, {100, 140}, {140, 120}, {120, 90}, {85, 125}};
        shirtU = shirts[index % shirts.length][0];
        shirtV = shirts[index % shirts.length][1];
        shirtY = 60 + (index * 37) % 110;
        seat = (int) (width * (((index * 5) % 7) - 3) * 0.025);
        bgY = new byte[width * height];
        bgU = new byte[width * height / 4];
        bgV = new byte[width * height / 4];
        paintRoom();
    }

    private void paintRoom() {
        int w = width, h = height;
        int wallY = 95 + (index * 23) % 60;
        int wallU = 118 + (index * 7) % 16, wallV = 122 + (index * 11) % 16;
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                int texture = (int) ((hash(i / 3, j / 3, index) & 7) - 3);          // fixed: plaster, fabric
                int v = wallY + 25 * (h - j) / h - 12 * Math.abs(2 * i - w) / w + texture;
                bgY[j * w + i] = clamp(v);
            }
        }
        for (int j = 0; j < h / 2; j++) {
            for (int i = 0; i < w / 2; i++) {
                bgU[j * (w / 2) + i] = (byte) wallU;
                bgV[j * (w / 2) + i] = (byte) wallV;
            }
        }
        boolean left = index % 2 == 0;
        // a bookcase: dark frame, shelves of book spines of varied width and colour
        int bx0 = left ? w / 30 : w - w * 3 / 10, bx1 = bx0 + w / 4, by0 = h / 8, by1 = h * 3 / 4;
        rect(bx0, by0, bx1 - bx0, by1 - by0, 45, 120, 135);
        int shelves = 4, sh = (by1 - by0) / shelves;
        long r = index * 7919L + 17;
        for (int s = 0; s < shelves; s++) {
            int y0 = by0 + s * sh + 4, bookH = sh - 8;
            for (int x = bx0 + 4; x < bx1 - 6; ) {
                r = r * 6364136223846793005L + 1442695040888963407L;
                int bw = 4 + (int) ((r >>> 33) % 10);
                int bh = bookH - (int) ((r >>> 40) % Math.max(1, bookH / 4));
                rect(x, y0 + bookH - bh, Math.min(bw, bx1 - 6 - x), bh, 50 + (int) ((r >>> 20) % 150),
                        90 + (int) ((r >>> 28) % 80), 90 + (int) ((r >>> 36) % 80));
                x += bw + 1;
            }
        }
        // a framed picture on the other side
        int px = left ? w * 7 / 10 : w / 12, py = h / 6, pw = w / 6, ph = h / 5;
        rect(px, py, pw, ph, 30, 128, 128);
        for (int j = 4; j < ph - 4; j++) {
            for (int i = 4; i < pw - 4; i++) {
                int v = 70 + 90 * j / ph + 30 * (int) (Math.sin(i * 0.15 + index) * 2);
                bgY[(py + j) * w + px + i] = clamp(v);
            }
        }
        rect(px + 4, py + 4, pw - 8, ph / 2, -1, 150, 105);                 // a sky, colour only
    }

    /** Fills a rectangle (yv &lt; 0: keep the luma, colour only) clipped to the picture, even-aligned for chroma. */
    private void rect(int x, int y, int w, int h, int yv, int u, int v) {
        int x0 = Math.max(0, x) & ~1, y0 = Math.max(0, y) & ~1;
        int x1 = Math.min(width, x + w) & ~1, y1 = Math.min(height, y + h) & ~1;
        for (int j = y0; j < y1; j++) {
            for (int i = x0; i < x1; i++) if (yv >= 0) bgY[j * width + i] = (byte) yv;
        }
        for (int j = y0 / 2; j < y1 / 2; j++) {
            for (int i = x0 / 2; i < x1 / 2; i++) {
                bgU[j * (width / 2) + i] = (byte) u;
                bgV[j * (width / 2) + i] = (byte) v;
            }
        }
    }

    /**
     * Paints frame t (30 fps) into the planes (tightly packed: strides width and width/2).
     * The person moves a few pixels a frame at most; the noise is ±3 in luma, triangular.
     */
    void render(int t, byte[] y, byte[] u, byte[] v) {
        int w = width, h = height;
        System.arraycopy(bgY, 0, y, 0, bgY.length);
        System.arraycopy(bgU, 0, u, 0, bgU.length);
        System.arraycopy(bgV, 0, v, 0, bgV.length);
        double s = t / 30.0;
        double sway = Math.sin(2 * Math.PI * s / 5.3 + phase) + 0.3 * Math.sin(2 * Math.PI * s / 1.7 + 2 * phase);
        double nod = Math.sin(2 * Math.PI * s / 3.1 + phase);
        int cx = w / 2 + seat + (int) Math.round(w * 0.035 * sway);
        int hy = (int) Math.round(h * (0.40 + 0.012 * nod));
        int hrx = w * 9 / 100, hry = h * 16 / 100;
        // shoulders and shirt: half an ellipse rising from the bottom, following the head a little
        int tcx = w / 2 + seat + (int) Math.round(w * 0.02 * sway);
        int trx = w * 27 / 100, tcy = h + h / 20, try_ = h * 38 / 100;
        for (int j = Math.max(0, tcy - try_); j < h; j++) {
            double dy = (double) (j - tcy) / try_;
            double half = trx * Math.sqrt(Math.max(0, 1 - dy * dy));
            int i0 = Math.max(0, (int) (tcx - half)), i1 = Math.min(w, (int) (tcx + half));
            for (int i = i0; i < i1; i++) {
                int fold = ((i - tcx) * 3 + j * 2) % 23 < 2 ? -18 : 0;           // creases
                y[j * w + i] = clamp(shirtY + fold - 20 * Math.abs(i - tcx) / trx);
            }
            if ((j & 1) == 0) {
                for (int i = i0 & ~1; i < i1; i += 2) {
                    u[(j / 2) * (w / 2) + i / 2] = (byte) shirtU;
                    v[(j / 2) * (w / 2) + i / 2] = (byte) shirtV;
                }
            }
        }
        // neck
        int nw = hrx * 2 / 3;
        skin(y, u, v, cx - nw / 2, hy + hry * 2 / 3, nw, Math.max(2, tcy - try_ - hy - hry * 2 / 3 + 6));
        // head: skin shaded towards the edge, hair on top, eyes, mouth
        boolean blink = ((t + index * 41) % 130) < 4;
        double talk = Math.max(0, Math.sin(2 * Math.PI * s * 3.7 + phase) * Math.sin(2 * Math.PI * s * 0.9 + index));
        for (int j = Math.max(0, hy - hry); j < Math.min(h, hy + hry); j++) {
            double dy = (double) (j - hy) / hry;
            double half = hrx * Math.sqrt(Math.max(0, 1 - dy * dy));
            int i0 = Math.max(0, (int) (cx - half)), i1 = Math.min(w, (int) (cx + half));
            for (int i = i0; i < i1; i++) {
                double dx = (double) (i - cx) / hrx;
                double r2 = dx * dx + dy * dy;
                int lum;
                if (dy < -0.45 + 0.15 * dx * dx) lum = 35 + (int) ((hash(i, j / 2, 3) & 15));      // hair
                else {
                    lum = 165 - (int) (45 * r2);
                    double ex = Math.abs(dx) - 0.38, ey = dy + 0.12;                             // eyes
                    if (ex * ex / 0.012 + ey * ey / (blink ? 0.0004 : 0.004) < 1) lum = 40;
                    double my = dy - 0.48, mh = 0.01 + 0.06 * talk;                               // mouth
                    if (dx * dx / 0.06 + my * my / (mh * mh) < 1) lum = 60;
                }
                y[j * w + i] = clamp(lum);
                if ((j & 1) == 0 && (i & 1) == 0) {
                    boolean hair = dy < -0.45 + 0.15 * dx * dx;
                    u[(j / 2) * (w / 2) + i / 2] = (byte) (hair ? 124 : 112);
                    v[(j / 2) * (w / 2) + i / 2] = (byte) (hair ? 132 : 150);
                }
            }
        }
        // sensor noise on luma, new every frame
        long x = noise;
        int pixels = w * h;
        for (int k = 0; k < pixels; k += 16) {
            x ^= x << 13; x ^= x >>> 7; x ^= x << 17;
            long bits = x;
            for (int m = 0; m < 16 && k + m < pixels; m++, bits >>>= 4) {
                int n = (int) (bits & 3) + (int) ((bits >>> 2) & 3) - 3;
                int p = (y[k + m] & 0xff) + n;
                y[k + m] = (byte) (p < 16 ? 16 : p > 235 ? 235 : p);
            }
        }
        noise = x;
    }

    private void skin(byte[] y, byte[] u, byte[] v, int x, int y0, int w, int h) {
        for (int j = Math.max(0, y0); j < Math.min(height, y0 + h); j++) {
            for (int i = Math.max(0, x); i < Math.min(width, x + w); i++) {
                y[j * width + i] = (byte) (140 - 20 * Math.abs(2 * (i - x) - w) / Math.max(1, w));
                if ((j & 1) == 0 && (i & 1) == 0) {
                    u[(j / 2) * (width / 2) + i / 2] = 112;
                    v[(j / 2) * (width / 2) + i / 2] = (byte) 150;
                }
            }
        }
    }

    private static long hash(int a, int b, int c) {
        long h = a * 0x9E3779B1L + b * 0x85EBCA77L + c * 0xC2B2AE3DL;
        h ^= h >>> 15;
        h *= 0x2C1B3C6DL;
        return (h ^ (h >>> 12)) & 0xffff;
    }

    private static byte clamp(int v) { return (byte) (v < 16 ? 16 : v > 235 ? 235 : v); }
}
