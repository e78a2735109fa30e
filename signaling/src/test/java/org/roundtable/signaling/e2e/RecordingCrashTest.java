package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.frames;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the server 8 s into a recording (issue 12): the fragmented MP4 it leaves plays with at least
 * 6 s of video, and after a restart on the same database the file is listed as interrupted, not lost.
 * The server runs as its own process (Main, as ops/run.sh starts it) so it can be killed for real.
 */
class RecordingCrashTest {

    static Process start(Path dir, Path conf, int http, int media) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.roundtable.signaling.Main",
                "--http-port", String.valueOf(http), "--media-port", String.valueOf(media), "--config", conf.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server-" + System.nanoTime() + ".log").toFile());
        Process p = pb.start();
        java.net.http.HttpClient c = java.net.http.HttpClient.newHttpClient();
        assertTrue(waitFor(30_000, () -> {
            try {
                return c.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + http + "/health")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (Exception e) { return false; }
        }), "the server came up");
        return p;
    }

    @Test
    void aKilledServerLeavesAPlayableFileListedAsInterrupted() throws Exception {
        E2e.skipUnlessE2e();
        Path dir = Files.createTempDirectory("rt-crash");
        Path conf = dir.resolve("server.conf");
        Files.writeString(conf, """
                roundtable {
                  http.host = "127.0.0.1"
                  bridge { bind-address = "127.0.0.1", advertised-addresses = ["127.0.0.1"], tcp-port = 0 }
                  auth.hs256-secrets = ["%s", "roundtable-dev-secret-change-me"]
                  db.url = "jdbc:h2:file:%s/db;AUTO_SERVER=FALSE"
                  recorder.dir = "%s/recordings"
                  sip.enabled = false
                }
                """.formatted(org.roundtable.signaling.ServerConfig.TEST_SECRET, dir, dir));
        int http = E2e.freeTcpPort(), media = E2e.freeUdpPort();
        String token = RecordingBrowserTest.token("ann", "Ann");
        Process server = start(dir, conf, http, media);
        try (Browser b = new Browser()) {
            String url = "http://127.0.0.1:" + http + "/?meeting=crash&autojoin=1&name=Ann&token=" + token;
            String ann = b.open(url);
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(ann))), "Ann joins first: she hosts");
            String ben = b.open("http://127.0.0.1:" + http + "/?meeting=crash&autojoin=1&name=Ben");
            for (String t : List.of(ann, ben)) assertTrue(waitFor(20_000, () -> "joined".equals(b.state(t))));
            assertTrue(waitFor(20_000, () -> b.stats(ann).size() == 1 && frames(b.stats(ann).get(0)) > 0));
            assertEquals(Boolean.TRUE, b.jsAsync(ann, "const cb = arguments[arguments.length-1]; window.roundtable.startRecording().then(() => cb(true), e => cb(e.message));"));
            long t0 = System.currentTimeMillis();
            Thread.sleep(8_000);
            server.destroyForcibly();                     // SIGKILL: no shutdown hook, no finalising
            assertTrue(server.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
            long killedAt = System.currentTimeMillis() - t0;

            Path file;
            try (Stream<Path> s = Files.walk(dir.resolve("recordings"))) {
                file = s.filter(p -> p.toString().endsWith(".mp4")).findFirst().orElse(null);
            }
            assertNotNull(file, "the file is there");
            JsonNode probe = MediaFiles.probe(file);
            JsonNode v = MediaFiles.stream(probe, "video");
            assertNotNull(v, "ffprobe reads the video of the killed recording: " + probe);
            double dur = v.path("duration").asDouble(MediaFiles.durationSeconds(probe));
            System.out.printf("[e2e] kill -9 %d ms into a recording: the file plays %.2f s (%d bytes): lost %.2f s%n",
                    killedAt, dur, Files.size(file), killedAt / 1000.0 - dur);
            assertTrue(dur >= 6.0, "at least 6 s of the 8 s survive: " + dur);
            byte[] frame = MediaFiles.grayFrame(file, dur - 1.0, 1280, 720);
            assertNotNull(frame, "a frame near the end decodes");

            // restart on the same database: the row is interrupted, the file listed and downloadable
            server = start(dir, conf, http, media);
            java.net.http.HttpResponse<byte[]> list = RecordingBrowserTest.get("http://127.0.0.1:" + http + "/api/meetings/crash/files", token, null);
            assertEquals(200, list.statusCode(), new String(list.body()));
            JsonNode files = new ObjectMapper().readTree(list.body()).path("files");
            assertEquals(1, files.size(), files.toString());
            assertEquals("interrupted", files.get(0).path("state").asText());
            assertTrue(files.get(0).path("bytes").asLong() > 100_000, "its size is known: " + files);
            assertEquals(200, RecordingBrowserTest.get("http://127.0.0.1:" + http + files.get(0).path("url").asText(), token, null).statusCode());
        } finally {
            server.destroyForcibly();
            server.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
