package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.frames;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.recorder.Recording;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;

/**
 * The disk fills up during a recording (issue 12): that recording stops cleanly, the hosts are told why,
 * the row says failed with the reason, what was written stays readable, and the meeting's media carries
 * on. The recordings directory is a 200 KB tmpfs mounted for the test (root, as ops/test.sh runs).
 */
class RecordingDiskFullTest {

    static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @Test
    void aFullDiskStopsTheRecordingCleanlyAndTellsTheHosts() throws Exception {
        E2e.skipUnlessE2e();
        Path dir = Files.createTempDirectory("rt-full");
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", dir.toString()) == 0, "needs root to mount a tmpfs");
        try {
            BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 2_500_000, false, 30_000, 10_000, 2);
            ServerConfig cfg = new ServerConfig("127.0.0.1", 0, b, true, 100);
            cfg = cfg.withRecorder(new ServerConfig.Recorder(true, dir.toString(), 0, 0, 1280, 720, 30, 2500, 128, "speaker", "libopenh264"));
            try (RoundtableServer server = new RoundtableServer(cfg).start(); Browser br = new Browser()) {
                String base = server.url() + "?meeting=full&autojoin=1&name=";
                String ann = br.open(base + "Ann");
                assertTrue(waitFor(20_000, () -> "joined".equals(br.state(ann))));
                String ben = br.open(base + "Ben");
                assertTrue(waitFor(20_000, () -> "joined".equals(br.state(ben))));
                assertTrue(waitFor(20_000, () -> br.stats(ben).size() == 1 && frames(br.stats(ben).get(0)) > 0));
                br.js(ann, "window.__rec = []; window.roundtable.on('recording', e => window.__rec.push(e));");
                assertEquals(Boolean.TRUE, br.jsAsync(ann, "const cb = arguments[arguments.length-1]; window.roundtable.startRecording().then(() => cb(true), e => cb(e.message));"));
                assertTrue(waitFor(60_000, () -> Boolean.FALSE.equals(br.js(ann, "return window.roundtable.recording;"))),
                        "the recording stops by itself when the disk is full");
                String reason = (String) br.js(ann, "const e = window.__rec.filter(x => !x.on).pop(); return e ? e.reason : null;");
                assertNotNull(reason, "the host is told why");
                System.out.println("[e2e] disk full: the host was told: " + reason);
                assertTrue(reason.contains("disk is full"), reason);
                Recording row = server.recordings.files("full").get(0);
                assertEquals(Recording.FAILED, row.state());
                assertEquals(reason, row.reason());
                var probe = MediaFiles.probe(server.recordings.fileOf(row));
                assertNotNull(MediaFiles.stream(probe, "video"), "what was written plays: " + probe);
                // the meeting's media is undisturbed
                long f0 = frames(br.stats(ben).get(0));
                assertTrue(waitFor(5_000, () -> frames(br.stats(ben).get(0)) > f0 + 20), "video still flows between the members");
                assertEquals("joined", br.state(ann));
            }
        } finally {
            run("umount", "-l", dir.toString());
        }
    }
}
