package org.roundtable.mixer.av;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a recording leaves when its process dies mid-write, or when its file cannot grow. */
class CrashSafetyTest {
    private static final Pattern WROTE = Pattern.compile("wrote (\\d+) ms.*");
    private static final Pattern FAILED = Pattern.compile("failed (-?\\d+) at (\\d+) ms.*");
    @TempDir Path dir;

    /**
     * The children load FFmpeg from JavaCPP's cache (~/.javacpp/cache); on a fresh machine that cache is
     * filled by the first process that loads it, and a child under {@code ulimit -f} cannot write those
     * libraries (libjnijavacpp.so alone is 150 KB): this JVM fills it first.
     */
    @BeforeAll
    static void fillTheNativeCache() {
        AvLibrary.ensureLoaded();
    }

    private static List<String> command(Path file, long ms) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-Xmx256m", "-Djava.awt.headless=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), CrashWriterMain.class.getName(), file.toString(),
                Long.toString(ms));
    }

    @Test
    void aKilledRecorderLeavesAPlayableFile() throws Exception {
        Path file = dir.resolve("killed.mp4");
        Process p = new ProcessBuilder(command(file, 5000)).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        long lastWritten = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.add(line);
                Matcher m = WROTE.matcher(line);
                if (m.matches()) {
                    lastWritten = Long.parseLong(m.group(1));
                    if (lastWritten >= 3000) break;
                }
            }
            p.toHandle().destroyForcibly();   // SIGKILL, mid-write (Process.destroyForcibly would close our pipe too)
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            while ((line = r.readLine()) != null) {
                output.add(line);
                Matcher m = WROTE.matcher(line);
                if (m.matches()) lastWritten = Long.parseLong(m.group(1));
            }
        } finally {
            p.destroyForcibly();
        }
        assertTrue(lastWritten >= 3000, "the writer never got to 3 s: " + output);
        assertTrue(output.stream().noneMatch(l -> l.equals("closed")), "killed before the end: " + output);
        Recovered rec = recovered(file);
        System.out.printf("kill after %d ms written (%d bytes on disk): ffprobe reads %.2f s of video, %.2f s of audio;"
                + " lost %d ms; boxes %s%n", lastWritten, Files.size(file), rec.videoSeconds, rec.audioSeconds,
                lastWritten - Math.round(rec.videoSeconds * 1000), rec.boxes);
        assertTrue(rec.boxes.contains("moof"), rec.boxes.toString());
        assertTrue(rec.videoSeconds * 1000 >= lastWritten - 2000, "video " + rec.videoSeconds + " s");
        assertTrue(rec.audioSeconds * 1000 >= lastWritten - 2000, "audio " + rec.audioSeconds + " s");
    }

    /**
     * A file that cannot grow: RLIMIT_FSIZE (dash's {@code ulimit -f} counts 512-byte blocks: 150 KiB); the JVM
     * ignores SIGXFSZ, so write() fails with EFBIG, as it would with ENOSPC on a full disk.
     */
    @Test
    void aFileThatCannotGrowStopsTheRecordingCleanly() throws Exception {
        Path file = dir.resolve("full.mp4");
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "ulimit -f 300 && exec \"$@\"", "sh"));
        cmd.addAll(command(file, 6000));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Matcher m = null;
        for (String line : out.split("\n")) {
            Matcher f = FAILED.matcher(line);
            if (f.matches()) m = f;
        }
        assertNotNull(m, "the write error reached the caller as an AvException: " + out);
        assertEquals(-27, Integer.parseInt(m.group(1)), "EFBIG");
        assertTrue(out.contains("closed"), out);
        long failedAt = Long.parseLong(m.group(2));
        assertTrue(Files.size(file) <= 300 * 1024, "limited: " + Files.size(file));
        Recovered rec = recovered(file);
        System.out.printf("write error (EFBIG) at %d ms, file %d bytes: ffprobe reads %.2f s of video; boxes %s%n",
                failedAt, Files.size(file), rec.videoSeconds, rec.boxes);
        assertTrue(rec.videoSeconds * 1000 >= failedAt - 2000, "video " + rec.videoSeconds + " s");
    }

    private record Recovered(double videoSeconds, double audioSeconds, List<String> boxes) {}

    private static Recovered recovered(Path file) throws Exception {
        Map<String, Object> probe = FfTools.probe(file, "-count_frames");
        Map<String, Object> v = FfTools.stream(probe, "video"), a = FfTools.stream(probe, "audio");
        assertNotNull(v, "video stream");
        assertEquals("h264", v.get("codec_name"));
        double video = Long.parseLong((String) v.get("nb_read_frames")) / 30.0;
        double audio = a == null ? 0 : Long.parseLong((String) a.get("nb_read_frames")) * 1024 / 48_000.0;
        return new Recovered(video, audio, FfTools.topLevelBoxes(file));
    }
}
