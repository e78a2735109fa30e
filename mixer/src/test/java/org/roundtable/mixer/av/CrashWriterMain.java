package org.roundtable.mixer.av;

import java.nio.file.Path;

/**
 * A recorder in a process of its own, for {@link CrashSafetyTest} to kill or starve of disk: writes
 * {@code args[1]} ms of 640x360 video and 48 kHz audio to {@code args[0]} at about real time, printing
 * "wrote N ms" every half second of media; on a write error prints "failed CODE at N ms" and closes.
 */
public final class CrashWriterMain {
    private CrashWriterMain() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long durationMs = Long.parseLong(args[1]);
        long start = System.nanoTime();
        long t = 0;
        try (Canvas canvas = new Canvas(640, 360);
             Mp4Writer out = new Mp4Writer(file, new H264Encoder(H264Encoder.Config.defaults().withSize(640, 360)
                     .withBitrate(1_000_000)), new AacEncoder(1))) {
            long audioSample = 0;
            long nextReport = 500;
            try {
                for (int f = 0; (t = f * 1000L / 30) <= durationMs; f++) {
                    long ahead = t * 1_000_000L - (System.nanoTime() - start);
                    if (ahead > 0) Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                    while (audioSample * 1000 / 48_000 <= t) {
                        out.writeAudio(TestMedia.tone(audioSample, 960), 960, audioSample * 1_000_000L / 48_000);
                        audioSample += 960;
                    }
                    TestMedia.scene(canvas, f);
                    out.writeVideo(canvas.picture(), t * 1000);
                    if (t >= nextReport) {
                        System.out.println("wrote " + t + " ms, " + out.bytesWritten() + " bytes");
                        System.out.flush();
                        nextReport += 500;
                    }
                }
            } catch (AvException e) {
                System.out.println("failed " + e.code() + " at " + t + " ms: " + e.getMessage());
                System.out.flush();
            }
        }
        System.out.println("closed");
    }
}
