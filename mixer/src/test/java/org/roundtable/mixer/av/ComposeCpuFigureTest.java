package org.roundtable.mixer.av;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A first figure, not an assertion: CPU time per second of 720p30 output for composing four scaled tiles
 * with labels, and for OpenH264 encoding the result (one encoder thread, 2.5 Mbit/s). The sources stand
 * in for decoded camera pictures (see {@link #texture}); making them is not timed.
 */
class ComposeCpuFigureTest {
    private static final int FRAMES = 300;

    @Test
    void cpuPerSecondOf720p30() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        int[][] sizes = {{960, 540}, {640, 480}, {1280, 720}, {320, 240}};
        Picture[] src = new Picture[4];
        for (int i = 0; i < 4; i++) src[i] = Picture.allocate(sizes[i][0], sizes[i][1]);
        byte[] noise = new byte[1 << 16];
        new Random(1).nextBytes(noise);
        long compose = 0, encode = 0, bytes[] = {0};
        long processStart = os.getProcessCpuTime(), wallStart = System.nanoTime();
        try (Canvas canvas = new Canvas(); H264Encoder enc = new H264Encoder(H264Encoder.Config.defaults())) {
            for (int f = 0; f < FRAMES; f++) {
                for (int i = 0; i < 4; i++) texture(src[i], f, i, noise);
                long t0 = mx.getCurrentThreadCpuTime();
                canvas.clear();
                for (int i = 0; i < 4; i++) {
                    int x = (i % 2) * 640, y = (i / 2) * 360;
                    canvas.draw(src[i], x, y, 640, 360);
                    canvas.label("Participant " + (i + 1), x, y + 320, 640, 40);
                }
                long t1 = mx.getCurrentThreadCpuTime();
                enc.encode(canvas.picture(), f * 1_000_000L / 30, p -> bytes[0] += p.size());
                long t2 = mx.getCurrentThreadCpuTime();
                compose += t1 - t0;
                encode += t2 - t1;
            }
            enc.flush(p -> bytes[0] += p.size());
            assertEquals(FRAMES, enc.frames());
        } finally {
            for (Picture p : src) p.close();
        }
        double seconds = FRAMES / 30.0;
        double processMs = (os.getProcessCpuTime() - processStart) / 1e6;
        System.out.printf("720p30, %s scene, 4 scaled tiles + labels, %d frames: compose %.0f ms CPU per output second (%.2f ms/frame),"
                + " openh264 encode %.0f ms/s (%.2f ms/frame), together %.0f%% of a core; process CPU %.0f ms/s"
                + " (includes making the sources); wall %.1f s; %.0f kbit/s%n",
                System.getProperty("av.figure.scene", "camera"), FRAMES, compose / 1e6 / seconds, compose / 1e6 / FRAMES, encode / 1e6 / seconds, encode / 1e6 / FRAMES,
                (compose + encode) / 1e7 / seconds, processMs / seconds, (System.nanoTime() - wallStart) / 1e9,
                bytes[0] * 8 / 1000.0 / seconds);
    }

    /**
     * A stand-in for a decoded camera picture. "camera" (the default): a still textured background, a
     * textured figure that moves slowly, sensor noise that changes every frame. "moving"
     * ({@code -Dav.figure.scene=moving}, a worst case): the whole picture scrolls fast, sharp-edged.
     */
    private static void texture(Picture p, int t, int tile, byte[] noise) {
        boolean moving = "moving".equals(System.getProperty("av.figure.scene"));
        int w = p.width(), h = p.height(), stride = p.frame.linesize(0);
        ByteBuffer y = p.frame.data(0).capacity((long) stride * h).asByteBuffer();
        byte[] row = new byte[w];
        int cx = (int) (w / 2 + w / 6.0 * Math.sin((t + 17 * tile) / 25.0)), cy = h / 2 + h / 10, r = h / 4;
        for (int j = 0; j < h; j++) {
            int n0 = (j * 7919 + t * 104729) & 0xffff;
            for (int i = 0; i < w; i++) {
                int v;
                if (moving) {
                    v = 40 + ((i + 2 * j + 4 * t * (tile + 1)) % 360) / 2 + (noise[(n0 + i) & 0xffff] >> 5);
                } else {
                    int dx = i - cx, dy = j - cy;
                    v = dx * dx + dy * dy < r * r ? 150 + ((dx ^ dy) & 31) : 50 + ((i / 8 + j / 8) & 7) * 6 + j / 12;
                    v += noise[(n0 + i) & 0xffff] >> 6;
                }
                row[i] = (byte) Math.max(16, Math.min(235, v));
            }
            y.put(j * stride, row, 0, w);
        }
        for (int c = 1; c < 3; c++) {
            int cs = p.frame.linesize(c);
            ByteBuffer uv = p.frame.data(c).capacity((long) cs * h / 2).asByteBuffer();
            for (int j = 0; j < h / 2; j++) {
                for (int i = 0; i < w / 2; i++) {
                    int v = moving ? 128 + ((i + t) % 64) - 32 : 128 + (c == 1 ? -10 : 12) + (i * 2 > cx - r && i * 2 < cx + r ? 8 : 0);
                    uv.put(j * cs + i, (byte) v);
                }
            }
        }
    }
}
