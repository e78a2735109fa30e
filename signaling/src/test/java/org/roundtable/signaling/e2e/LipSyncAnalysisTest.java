package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The lip-sync measurement's own checks (LipSyncRecordingTest relies on them): the detectors find every
 * flash and beep of an MP4 made by Debian's ffmpeg from the test media with a known offset between sound
 * and picture, and report that offset with its sign; the alignment finds the right event of the pattern.
 */
class LipSyncAnalysisTest {

    /** An MP4 like a recording (1280x720 H.264, the camera picture in a tile on grey; AAC) with the sound shifted by audioLateMs. */
    static Path mp4(Path dir, double audioLateMs) throws Exception {
        Path y4m = dir.resolve("v.y4m"), wav = dir.resolve("a.wav"), out = dir.resolve("t" + (int) audioLateMs + ".mp4");
        if (!Files.exists(y4m)) { LipSync.writeY4m(y4m); LipSync.writeWav(wav); }
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-y"));
        if (audioLateMs < 0) cmd.addAll(List.of("-itsoffset", String.format(Locale.ROOT, "%.3f", -audioLateMs / 1000)));
        cmd.addAll(List.of("-i", y4m.toString()));
        if (audioLateMs > 0) cmd.addAll(List.of("-itsoffset", String.format(Locale.ROOT, "%.3f", audioLateMs / 1000)));
        cmd.addAll(List.of("-i", wav.toString(),
                "-filter_complex", "[0:v]scale=900:560,pad=1280:720:190:20:color=0x303030,format=yuv420p[v]", "-map", "[v]", "-map", "1:a",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-c:a", "aac", "-b:a", "96k", out.toString()));
        LipSync.runText(cmd);
        return out;
    }

    @Test
    void theDetectorsFindEveryEventAndTheOffsetWithItsSign() throws Exception {
        E2e.skipUnlessE2e();
        Path dir = Files.createTempDirectory("rt-lipsync-analysis");
        for (double late : new double[] {0, 100, -66.667}) {
            LipSync.FileOnsets f = LipSync.analyse(mp4(dir, late));
            System.out.printf(Locale.ROOT, "[e2e] lip sync analysis: audio late by %.0f ms: flashes %s beeps %s (luma base %.1f jump %.1f)%n",
                    late, f.flashes(), f.beeps(), f.lumaBase(), f.lumaJump());
            assertEquals(LipSync.EVENTS_S.length, f.flashes().size(), "every flash: " + f.flashes());
            assertEquals(LipSync.EVENTS_S.length, f.beeps().size(), "every beep: " + f.beeps());
            List<LipSync.Event> ev = LipSync.pair(f.flashes(), f.beeps(), 500);
            assertEquals(LipSync.EVENTS_S.length, ev.size());
            for (int i = 0; i < ev.size(); i++) {
                double videoAt = Math.max(0, -late) + 1000 * LipSync.EVENTS_S[i];
                assertEquals(videoAt, ev.get(i).flash(), 1.0, "flash " + i + " at its frame's time");
                assertEquals(late, ev.get(i).offset(), 2.0, "event " + i + ": beep - flash");
            }
            assertEquals(0, LipSync.offPattern(f.flashes(), 40));
            assertEquals(0, LipSync.offPattern(f.beeps(), 40));
            for (double e : LipSync.EVENTS_S) assertTrue(f.videoCovers(1000 * e + Math.max(0, -late)), "frames all along");
        }
        try (var files = Files.list(dir)) { for (Path p : (Iterable<Path>) files::iterator) Files.delete(p); }
        Files.delete(dir);
    }

    @Test
    void theAlignmentFindsWhereInThePatternARunOfOnsetsLies() {
        // captured: three periods from t = 10 000 ms; the file: 12 s of it starting 9.7 s later, 180 ms behind, with jitter
        List<Double> captured = new ArrayList<>(), file = new ArrayList<>();
        for (int p = 0; p < 3; p++) for (double e : LipSync.EVENTS_S) captured.add(10_000 + 1000 * (p * LipSync.PERIOD_S + e));
        double start = 19_700, lag = 180;
        for (int i = 0; i < captured.size(); i++) {
            double t = captured.get(i) - start + lag + (i % 3 - 1) * 15;
            if (t >= 0 && t <= 12_000) file.add(t);
        }
        LipSync.Alignment a = LipSync.align(file, captured, 100, start);
        assertEquals(file.size(), a.matched());
        assertEquals(start - lag, a.shift(), 16);
        assertTrue(a.runnerUp() <= a.matched() / 2, "no other shift matches half as many: " + a.runnerUp() + " of " + a.matched());
        for (int i = 0; i < file.size(); i++) assertEquals(captured.get(a.index()[i]) - (start - lag), file.get(i), 16);
        assertEquals(0, LipSync.offPattern(captured, 40));
        List<Double> missing = new ArrayList<>(captured);
        missing.remove(4);
        assertEquals(1, LipSync.offPattern(missing, 40), "a missed onset shows");
    }
}
