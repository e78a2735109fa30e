package org.roundtable.streaming.hls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.streaming.TestProgram;

/**
 * What a plain HLS client sees: Debian's ffmpeg/ffprobe read our playlist (ignoring the LL-HLS parts)
 * through a real Jetty on 127.0.0.1, both a finished stream and one played in real time.
 */
class HlsFfmpegTest {
    HlsTestServer server;
    ScheduledThreadPoolExecutor scheduler;

    @BeforeEach void start() throws Exception {
        server = new HlsTestServer();
        scheduler = new ScheduledThreadPoolExecutor(1);
        scheduler.setRemoveOnCancelPolicy(true);
    }

    @AfterEach void stop() throws Exception {
        server.close();
        scheduler.shutdownNow();
    }

    HlsStream stream(String token) {
        HlsStream s = new HlsStream(HlsConfig.defaults(), server.runtime(java.time.Clock.systemUTC(), HlsTimer.of(scheduler)));
        server.tokens.put(token, HlsLookup.found(s));
        return s;
    }

    record Run(int exit, String out, String err) {}

    static Run run(long timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("hls-out", ".txt"), err = Files.createTempFile("hls-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s: " + Files.readString(err));
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static int frames(String progress) {
        Matcher m = Pattern.compile("(?m)^frame=(\\d+)$").matcher(progress);
        int n = -1;
        while (m.find()) n = Integer.parseInt(m.group(1));
        return n;
    }

    @Test void ffprobeAndFfmpegReadAFinishedStream() throws Exception {
        TestProgram p = TestProgram.make(10);
        HlsStream s = stream("done");
        p.play(s, false);
        String url = server.url("done", "index.m3u8");
        Run probe = run(60, "ffprobe", "-v", "error", "-show_entries", "stream=codec_name,codec_type,sample_rate,width,height:format=duration",
                "-of", "default=noprint_wrappers=1", url);
        assertEquals(0, probe.exit, probe.err);
        assertEquals("", probe.err, "ffprobe complained");
        assertTrue(probe.out.contains("codec_name=h264") && probe.out.contains("codec_type=video"), probe.out);
        assertTrue(probe.out.contains("width=640") && probe.out.contains("height=360"), probe.out);
        assertTrue(probe.out.contains("codec_name=aac") && probe.out.contains("sample_rate=48000"), probe.out);
        Matcher d = Pattern.compile("duration=([0-9.]+)").matcher(probe.out);
        assertTrue(d.find(), probe.out);
        double duration = Double.parseDouble(d.group(1));
        assertEquals(p.durationMicros / 1e6, duration, 0.1, "duration fed vs read");

        Run decode = run(60, "ffmpeg", "-nostdin", "-v", "error", "-i", url, "-progress", "pipe:1", "-f", "null", "-");
        assertEquals(0, decode.exit, decode.err);
        assertEquals("", decode.err, "no decode errors");
        assertEquals(p.frames.stream().filter(f -> f.video()).count(), frames(decode.out), "every video frame decoded");
    }

    @Test void ffmpegFollowsTheLivePlaylistWhileTheProgramPlays() throws Exception {
        TestProgram p = TestProgram.make(10);
        HlsStream s = stream("live");
        Thread composition = new Thread(() -> {
            try {
                p.play(s, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-composition");
        composition.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s.snapshot().nextMsn < 1) {                       // a plain client may start with the first segment
            assertTrue(System.nanoTime() < end, "no first segment");
            Thread.sleep(20);
        }
        long started = System.nanoTime();
        Run decode = run(60, "ffmpeg", "-nostdin", "-v", "error", "-live_start_index", "0", "-i", server.url("live", "index.m3u8"),
                "-progress", "pipe:1", "-f", "null", "-");
        double took = (System.nanoTime() - started) / 1e9;
        composition.join(20_000);
        assertEquals(0, decode.exit, decode.err);
        assertEquals("", decode.err, "no decode errors reading live");
        long video = p.frames.stream().filter(f -> f.video()).count();
        assertEquals(video, frames(decode.out), "ffmpeg decoded the whole program, following the live playlist to its end");
        assertTrue(took > 6, "ffmpeg had to wait for the live stream (" + took + " s)");
        assertTrue(server.metrics.requests(HlsMetrics.Kind.PLAYLIST, 200) >= 3, "it reloaded the playlist");
        System.out.printf("live: ffmpeg decoded %d frames in %.1f s; %d playlist loads%n", video, took, server.metrics.requests(HlsMetrics.Kind.PLAYLIST, 200));
    }
}
