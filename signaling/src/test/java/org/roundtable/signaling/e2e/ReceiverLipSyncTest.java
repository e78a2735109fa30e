package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;

/**
 * Lip sync as a member sees it (issue 12): Sam's camera and microphone play LipSync's flashes and beeps
 * (the sending page notes when each was captured, probe.js); Ben's page runs the same probe on Sam's
 * received tracks, noting when each flash and beep reaches it (MediaStreamTrackProcessor on the remote
 * tracks: frames as the receiver renders them, after its jitter buffer and A/V sync, which follow the
 * sender reports the bridge translates for it). On the machine's wall clock, the shift that lines the
 * received flashes up with the captured ones is the video's delay, the beeps' the audio's; their
 * difference is the lip-sync error Ben sees: within 45 ms either way (ITU-R BT.1359's detectability).
 */
class ReceiverLipSyncTest {
    static final double LIMIT_MS = 45;

    @Test
    @SuppressWarnings("unchecked")
    void aMemberSeesEachBeepWithin45msOfItsFlash() throws Exception {
        E2e.skipUnlessE2e();
        Path dir = Files.createTempDirectory("rt-rxsync");
        Path y4m = dir.resolve("flashes.y4m"), wav = dir.resolve("beeps.wav");
        LipSync.writeY4m(y4m);
        LipSync.writeWav(wav);
        try (RoundtableServer server = E2e.server(false);
             Browser sending = new Browser("--use-file-for-fake-video-capture=" + y4m, "--use-file-for-fake-audio-capture=" + wav);
             Browser receiving = new Browser()) {
            String probe = LipSyncRecordingTest.probe();
            String sam = sending.open(server.url() + "?meeting=rxsync&name=Sam");
            sending.js(sam, probe);
            Object joined = sending.jsAsync(sam, "const cb = arguments[arguments.length-1];"
                    + " navigator.mediaDevices.getUserMedia({video: true, audio: {echoCancellation: false, noiseSuppression: false, autoGainControl: false}})"
                    + " .then(s => { window.lipsync.start(s, arguments[0]); return window.roundtable.join('rxsync', 'Sam', {stream: s}); })"
                    + " .then(() => cb(true), e => cb(String(e)));", (LipSync.DARK + LipSync.WHITE) / 2);
            assertEquals(Boolean.TRUE, joined);
            String ben = receiving.open(server.url() + "?meeting=rxsync&name=Ben");
            receiving.js(ben, probe);
            Object benJoined = receiving.jsAsync(ben, "const cb = arguments[arguments.length-1];"
                    + " window.roundtable.join('rxsync', 'Ben', {audio: false, video: true}).then(() => cb(true), e => cb(String(e)));");
            assertEquals(Boolean.TRUE, benJoined);
            String started = "const p = window.roundtable.participants().find(x => x.name === 'Sam');"
                    + " if (!p || !p.stream || p.stream.getAudioTracks().length === 0 || p.stream.getVideoTracks().length === 0) return false;"
                    + " if (!window.rxStarted) { window.lipsync.start(p.stream, arguments[0]); window.rxStarted = true; } return true;";
            assertTrue(waitFor(20_000, () -> Boolean.TRUE.equals(receiving.js(ben, started, (LipSync.DARK + LipSync.WHITE) / 2))),
                    "Ben receives Sam's camera and microphone");
            // 17 s of flashes and beeps; when the alignment is not clear-cut (a starved receiver plays some
            // beeps late and hears clicks as beeps), 17 s more: the true shift gathers matches, noise does not
            LipSync.Alignment v = null, a = null;
            double error = 0;
            for (int round = 0; round < 2; round++) {
                Thread.sleep(17_000);
                Map<String, Object> cap = (Map<String, Object>) sending.js(sam, "return window.lipsync.result();");
                Map<String, Object> rx = (Map<String, Object>) receiving.js(ben, "return window.lipsync.result();");
                double capOrigin = ((Number) sending.js(sam, "return performance.timeOrigin;")).doubleValue();
                double rxOrigin = ((Number) receiving.js(ben, "return performance.timeOrigin;")).doubleValue();
                assertEquals(List.of(), rx.get("errors"), "the receiving probe ran");
                List<Double> capFlashes = shifted(LipSyncRecordingTest.times(cap, "flashes"), capOrigin);
                List<Double> capBeeps = shifted(LipSyncRecordingTest.times(cap, "beeps"), capOrigin);
                List<Double> rxFlashes = arrivals(rx, "flashes", rxOrigin), rxBeeps = arrivals(rx, "beeps", rxOrigin);
                v = LipSync.align(capFlashes, rxFlashes, 100, 300);
                a = LipSync.align(capBeeps, rxBeeps, 100, 300);
                error = a.shift() - v.shift();
                System.out.printf(Locale.ROOT, "[e2e] receiver lip sync: video reaches Ben %.0f ms after capture (%d of %d flashes, next best %d),"
                        + " sound %.0f ms (%d of %d beeps, next best %d): sound %+.1f ms against the picture (positive: late)%n",
                        v.shift(), v.matched(), capFlashes.size(), v.runnerUp(), a.shift(), a.matched(), capBeeps.size(), a.runnerUp(), error);
                if (clear(v) && clear(a)) break;
            }
            assertTrue(clear(v), "the received flashes line up with the captured ones");
            assertTrue(clear(a), "the received beeps line up with the captured ones");
            assertTrue(Math.abs(error) <= LIMIT_MS, "Ben hears each beep within 45 ms of its flash: " + error);
        } finally {
            Files.deleteIfExists(y4m);
            Files.deleteIfExists(wav);
            Files.deleteIfExists(dir);
        }
    }

    /** Enough events line up at one shift, clearly more than at any other. */
    static boolean clear(LipSync.Alignment x) { return x.matched() >= 6 && x.matched() > x.runnerUp() + 2; }

    static List<Double> shifted(List<Double> t, double origin) {
        List<Double> out = new ArrayList<>();
        for (double x : t) out.add(origin + x);
        return out;
    }

    /** The instants (wall clock, ms) the receiving page got each flash or beep. */
    @SuppressWarnings("unchecked")
    static List<Double> arrivals(Map<String, Object> r, String key, double origin) {
        List<Double> out = new ArrayList<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) r.get(key)) out.add(origin + ((Number) e.get("now")).doubleValue());
        return out;
    }
}
