package org.roundtable.streaming.rtmp;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.LiveTracks;

/** Made-up tracks and frames (valid framing, meaningless pictures) and a bounded wait, for the fake-server tests. */
final class Synthetic {
    private Synthetic() {}

    static LiveTracks tracks() {
        return new LiveTracks(640, 360, 30, new byte[] {0x67, 0x42, 0x00, 0x1e, 0x01}, new byte[] {0x68, (byte) 0xce}, 48000, 1,
                new byte[] {0x11, (byte) 0x88});
    }

    /** Frame i of a 30 fps program, key every 60; data of size bytes. */
    static LiveFrame video(int i, int size) {
        byte[] b = new byte[Math.max(8, size)];
        b[3] = 1;
        b[4] = (byte) (i % 60 == 0 ? 0x65 : 0x41);
        for (int k = 5; k < b.length; k++) b[k] = (byte) (k | 0x80);
        return LiveFrame.video(b, i * 1_000_000L / 30, i % 60 == 0);
    }

    static LiveFrame audio(int i) { return LiveFrame.audio(new byte[] {0x21, 0x10, 0x05}, i * 1024L * 1_000_000L / 48000); }

    /** Polls cond every 20 ms until it holds (true) or the time is up (false). */
    static boolean waitFor(Duration limit, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return cond.getAsBoolean();
    }

    static RtmpOptions fast() {
        return RtmpOptions.DEFAULTS.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(1))
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(30), 3);
    }
}
