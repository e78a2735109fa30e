package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.frames;
import static org.roundtable.signaling.e2e.E2e.statsOf;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roundtable.recorder.Recording;
import org.roundtable.signaling.RoundtableServer;

/**
 * Lip sync of a recording (issue 12): "each beep starts within 45 ms of its flash, early or late".
 * <p>
 * A Chromium whose fake camera and microphone play generated files (a dark picture with 100 ms white
 * flashes, silence with 100 ms 1 kHz beeps, at the same irregular instants; {@link LipSync}) joins a
 * meeting with echo cancellation, noise suppression and gain control off (they move beep onsets), and
 * hosts it; a second Chromium member joins with its default fake camera and no microphone (its fake
 * microphone beeps too). The sending page notes when each flash and each beep was captured
 * (MediaStreamTrackProcessor on clones of its tracks, resources/lipsync/probe.js): Chromium plays the two
 * files on loops of its own, so a flash and its beep are not captured together (the capture offset, per
 * event). The host records about 12 s; in the file, flash onsets are frames whose whole-picture mean luma
 * jumps, beep onsets the first loud samples of the decoded sound. File events are matched to captured ones
 * by the pattern, and each event's lip-sync error = (file beep - file flash) - (captured beep - captured
 * flash): positive means the sound is late.
 * <p>
 * Written while the server's A/V sync was being reworked: against a server that does not yet keep sound
 * and picture together this test FAILS on the 45 ms assertion, and its output says by how much.
 */
class LipSyncRecordingTest {
    static final double LIMIT_MS = 45;
    static final long RECORD_MS = 12_000;

    static String probe() throws Exception {
        try (InputStream in = LipSyncRecordingTest.class.getClassLoader().getResourceAsStream("lipsync/probe.js")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Double> times(Map<String, Object> capture, String key) {
        List<Double> out = new ArrayList<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) capture.get(key)) out.add(((Number) e.get("t")).doubleValue());
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> at(Map<String, Object> capture, String key, int i) {
        return ((List<Map<String, Object>>) capture.get(key)).get(i);
    }

    static double num(Object o) { return ((Number) o).doubleValue(); }

    static void log(String fmt, Object... args) { System.out.println("[e2e] lip sync: " + String.format(Locale.ROOT, fmt, args)); }

    @Test
    void eachBeepInTheRecordingStartsWithin45msOfItsFlash() throws Exception {
        E2e.skipUnlessE2e();
        long begun = System.currentTimeMillis();
        Path dir = Files.createTempDirectory("rt-lipsync");
        Path y4m = dir.resolve("flashes.y4m"), wav = dir.resolve("beeps.wav");
        LipSync.writeY4m(y4m);
        LipSync.writeWav(wav);
        try {
            measure(begun, y4m, wav);
        } finally {
            Files.deleteIfExists(y4m);
            Files.deleteIfExists(wav);
            Files.deleteIfExists(dir);
        }
    }

    @SuppressWarnings("unchecked")
    private void measure(long begun, Path y4m, Path wav) throws Exception {
        try (RoundtableServer server = E2e.server(false);
             Browser sending = new Browser("--use-file-for-fake-video-capture=" + y4m, "--use-file-for-fake-audio-capture=" + wav);
             Browser other = new Browser()) {
            String token = RecordingBrowserTest.token("sam", "Sam");
            String sam = sending.open(server.url() + "?meeting=lipsync&name=Sam");
            sending.js(sam, probe());
            Object joined = sending.jsAsync(sam, "const cb = arguments[arguments.length-1];"
                    + " navigator.mediaDevices.getUserMedia({video: true, audio: {echoCancellation: false, noiseSuppression: false, autoGainControl: false}})"
                    + " .then(s => { window.lipsync.start(s, arguments[1]); return window.roundtable.join('lipsync', 'Sam', {token: arguments[0], stream: s}); })"
                    + " .then(() => cb(true), e => cb(String(e)));", token, (LipSync.DARK + LipSync.WHITE) / 2);
            assertEquals(Boolean.TRUE, joined, "Sam joins with the files' camera and microphone");
            assertEquals("host", sending.js(sam, "return window.roundtable.role;"), "the first to join hosts");
            String ben = other.open(server.url() + "?meeting=lipsync&name=Ben");
            Object benJoined = other.jsAsync(ben, "const cb = arguments[arguments.length-1];"
                    + " window.roundtable.join('lipsync', 'Ben', {audio: false, video: true}).then(() => cb(true), e => cb(String(e)));");
            assertEquals(Boolean.TRUE, benJoined, "Ben joins, camera only");
            assertTrue(waitFor(20_000, () -> { Map<String, Object> p = statsOf(sending, sam, "Ben"); return p != null && frames(p) > 0; }),
                    "Sam sees Ben");
            assertTrue(waitFor(20_000, () -> { Map<String, Object> p = statsOf(other, ben, "Sam"); return p != null && frames(p) > 10 && E2e.hears(other, ben, "Sam", 50); }),
                    "Ben sees and hears Sam");

            Map<String, Object> started = (Map<String, Object>) sending.jsAsync(sam, "const cb = arguments[arguments.length-1]; const t0 = performance.now();"
                    + " window.roundtable.startRecording().then(() => cb({t0: t0, t1: performance.now()}), e => cb({error: e.code + ': ' + e.message}));");
            assertNotNull(started.get("t0"), "the host starts the recording: " + started);
            long recStart = System.currentTimeMillis();
            Thread.sleep(RECORD_MS);
            Map<String, Object> stopped = (Map<String, Object>) sending.jsAsync(sam, "const cb = arguments[arguments.length-1]; const t0 = performance.now();"
                    + " window.roundtable.stopRecording().then(() => cb({t0: t0, t1: performance.now()}), e => cb({error: e.code + ': ' + e.message}));");
            assertNotNull(stopped.get("t0"), "the host stops it: " + stopped);
            long recordedMs = System.currentTimeMillis() - recStart;
            Map<String, Object> capture = (Map<String, Object>) sending.js(sam, "return window.lipsync.result();");

            Map<String, Object> listed = (Map<String, Object>) sending.jsAsync(sam, "const cb = arguments[arguments.length-1];"
                    + " window.roundtable.files().then(f => cb({files: f}), e => cb({error: e.code}));");
            List<Map<String, Object>> files = (List<Map<String, Object>>) listed.get("files");
            assertNotNull(files, "Sam lists the files: " + listed);
            assertEquals(1, files.size(), "one file: " + files);
            assertEquals(Recording.COMPLETE, files.get(0).get("state"));
            Recording row = server.recordings.find((String) files.get(0).get("id")).orElseThrow();
            Path file = server.recordings.fileOf(row);
            long browsersDone = System.currentTimeMillis();

            // ---- what the sending page captured
            Map<String, Object> cv = (Map<String, Object>) capture.get("video"), ca = (Map<String, Object>) capture.get("audio");
            log("capture: video %s %s, %s frames over %.1f s, %s gaps > 50 ms (largest %.0f ms); audio %s %s, %s chunks over %.1f s, %s gaps (largest %.1f ms); errors %s",
                    cv.get("info"), cv.get("settings"), cv.get("frames"), num(cv.get("spanMs")) / 1000, cv.get("gaps"), num(cv.get("maxGapMs")),
                    ca.get("info"), ca.get("settings"), ca.get("chunks"), num(ca.get("spanMs")) / 1000, ca.get("gaps"), num(ca.get("maxGapMs")), capture.get("errors"));
            log("capture clocks: video timestamp + %.1f ms and audio timestamp + %.1f ms = performance.now() (least arrival delay)",
                    num(capture.get("videoMapMs")), num(capture.get("audioMapMs")));
            List<Double> capFlashes = times(capture, "flashes"), capBeeps = times(capture, "beeps");
            assertEquals(List.of(), capture.get("errors"), "the probe ran without errors");
            // missed or doubled onsets show as intervals that are not the pattern's (a late camera frame moves one by up to ~70 ms)
            int capFlashOff = LipSync.offPattern(capFlashes, 100), capBeepOff = LipSync.offPattern(capBeeps, 100);
            log("capture: %d flashes, %d beeps; intervals off the pattern by more than 100 ms: %d flash, %d beep", capFlashes.size(), capBeeps.size(), capFlashOff, capBeepOff);

            // each captured flash with its captured beep: the offset holds within a loop of the files and steps at each wrap
            List<LipSync.Event> capEvents = LipSync.pair(capFlashes, capBeeps, 500);
            int[] loop = LipSync.loops(capEvents);
            boolean[] glitch = LipSync.glitches(capEvents, loop, 10);
            List<Double> capOffsets = new ArrayList<>(), arrivalDiff = new ArrayList<>();
            StringBuilder perLoop = new StringBuilder();
            double withinLoop = 0;
            for (int i = 0; i < capEvents.size(); i++) {
                LipSync.Event e = capEvents.get(i);
                capOffsets.add(e.offset());
                Map<String, Object> fl = at(capture, "flashes", capFlashes.indexOf(e.flash())), bp = at(capture, "beeps", capBeeps.indexOf(e.beep()));
                arrivalDiff.add((num(bp.get("now")) - num(fl.get("now"))) - e.offset());
                if (i + 1 < capEvents.size() && loop[i + 1] == loop[i]) continue;
                List<Double> seg = new ArrayList<>();
                for (int j = 0; j < capEvents.size(); j++) if (loop[j] == loop[i] && !glitch[j]) seg.add(capEvents.get(j).offset());
                DoubleSummaryStatistics ss = seg.stream().mapToDouble(Double::doubleValue).summaryStatistics();
                if (seg.size() > 0) withinLoop = Math.max(withinLoop, ss.getMax() - ss.getMin());
                perLoop.append(String.format(Locale.ROOT, " loop %d: median %+.1f spread %.1f (%d events);", loop[i], LipSync.median(seg), seg.isEmpty() ? 0 : ss.getMax() - ss.getMin(), seg.size()));
            }
            DoubleSummaryStatistics co = capOffsets.stream().mapToDouble(Double::doubleValue).summaryStatistics();
            List<Double> glitched = new ArrayList<>();
            for (int i = 0; i < glitch.length; i++) if (glitch[i]) glitched.add(capEvents.get(i).flash());
            log("capture offsets (beep - flash, ms): %s; min %.1f max %.1f spread %.1f;%s events off their loop's median by over 10 ms at %s;"
                    + " from arrival times instead of time stamps the offsets differ by %s (median %.1f)",
                    fmt(capOffsets), co.getMin(), co.getMax(), co.getMax() - co.getMin(), perLoop, fmt(glitched), fmt(arrivalDiff), LipSync.median(arrivalDiff));

            // ---- what the file holds
            LipSync.FileOnsets f = LipSync.analyse(file);
            com.fasterxml.jackson.databind.JsonNode probe = MediaFiles.probe(file);
            log("file %s: %.2f s (recorded %d ms), video start %s, audio start %s; %d frames %.0f-%.0f ms, luma base %.1f, flash jump %.1f; sound %.0f ms, beep level %.3f",
                    file.getFileName(), MediaFiles.durationSeconds(probe), recordedMs, MediaFiles.stream(probe, "video").path("start_time").asText(),
                    MediaFiles.stream(probe, "audio").path("start_time").asText(), f.frames(), f.videoStartMs(), f.videoEndMs(), f.lumaBase(), f.lumaJump(),
                    f.audioEndMs(), f.beepLevel());
            log("file: flashes at %s ms; beeps at %s ms; intervals off the pattern: %d flash, %d beep",
                    fmt(f.flashes()), fmt(f.beeps()), LipSync.offPattern(f.flashes(), 80), LipSync.offPattern(f.beeps(), 80));

            // ---- which captured event each file flash is: the pattern, near when the recording started
            double roughly = num(started.get("t0"));
            LipSync.Alignment af = LipSync.align(f.flashes(), capFlashes, 100, roughly);
            LipSync.Alignment ab = LipSync.align(f.beeps(), capBeeps, 100, roughly);
            log("alignment: file time 0 = %.0f ms on the page's clock by the flashes (%d of %d matched, next best %d), %.0f ms by the beeps (%d of %d, next best %d);"
                    + " startRecording called at %.0f, resolved at %.0f; the difference (%.1f ms) is the mean lip-sync error",
                    af.shift(), af.matched(), f.flashes().size(), af.runnerUp(), ab.shift(), ab.matched(), f.beeps().size(), ab.runnerUp(),
                    roughly, num(started.get("t1")), af.shift() - ab.shift());
            // every flash and beep captured while the file was being written is found in it
            int expectFlashes = 0, expectBeeps = 0;
            for (double c : capFlashes) if (f.videoCovers(c - af.shift())) expectFlashes++;
            for (double c : capBeeps) if (c - ab.shift() >= 300 && c - ab.shift() <= f.audioEndMs() - 300) expectBeeps++;
            log("file: %d flashes and %d beeps found; %d and %d captured where the file has pictures (no gap over 70 ms) and sound", f.flashes().size(), f.beeps().size(), expectFlashes, expectBeeps);

            // ---- per event: identified by its beep, its flash or both (a busy start can move either by more than the
            // alignment's 100 ms); the partner is looked for within 500 ms of where the typical error puts it
            double typical = af.shift() - ab.shift();
            List<Double> errors = new ArrayList<>();
            List<Integer> usedFlashes = new ArrayList<>(), usedBeeps = new ArrayList<>();
            int uncertain = 0, glitchedUsed = 0;
            for (int k = 0; k < capEvents.size(); k++) {
                LipSync.Event ce = capEvents.get(k);
                int cf = capFlashes.indexOf(ce.flash()), fi = indexOf(af.index(), cf), bi = indexOf(ab.index(), capBeeps.indexOf(ce.beep()));
                if (fi < 0 && bi < 0) continue;                                     // not recorded
                String how = fi >= 0 && bi >= 0 ? "" : fi >= 0 ? " (found by its flash)" : " (found by its beep)";
                if (fi < 0) {
                    double want = f.beeps().get(bi) - ce.offset() - typical, d = LipSync.nearest(f.flashes(), want);
                    if (Math.abs(d) > 500) { log("captured event at %.0f ms: its beep is in the file at %.0f ms, no flash within 500 ms of %.0f", ce.flash(), f.beeps().get(bi), want); continue; }
                    fi = f.flashes().indexOf(want + d);
                } else if (bi < 0) {
                    double want = f.flashes().get(fi) + ce.offset() + typical, d = LipSync.nearest(f.beeps(), want);
                    if (Math.abs(d) > 500) { log("captured event at %.0f ms: its flash is in the file at %.0f ms, no beep within 500 ms of %.0f", ce.flash(), f.flashes().get(fi), want); continue; }
                    bi = f.beeps().indexOf(want + d);
                }
                if (fi < 0 || bi < 0 || usedFlashes.contains(fi) || usedBeeps.contains(bi)) { log("captured event at %.0f ms: its file flash or beep is another event's", ce.flash()); continue; }
                usedFlashes.add(fi);
                usedBeeps.add(bi);
                double rf = f.flashes().get(fi), rb = f.beeps().get(bi), recOffset = rb - rf, err = recOffset - ce.offset();
                double gap = num(at(capture, "flashes", cf).get("gapMs"));
                boolean covered = f.videoCovers(rf), odd = glitch[k], sure = gap <= 45 && covered && !odd;
                if (!sure) uncertain++;
                if (odd) glitchedUsed++;
                log("event %d: captured flash %.1f ms, beep %+.1f ms after it; file flash %.1f ms, beep %.1f ms (%+.1f ms after); error %+.1f ms%s%s",
                        usedFlashes.size(), ce.flash(), ce.offset(), rf, rb, recOffset, err, how,
                        sure ? "" : !covered ? " (not counted: the file's pictures have a gap near this flash)"
                                : odd ? " (not counted: captured off its loop's rhythm)"
                                : String.format(Locale.ROOT, " (not counted: the probe missed frames before this flash, gap %.0f ms)", gap));
                if (sure) errors.add(err);
            }
            for (int i = 0; i < f.flashes().size(); i++) if (!usedFlashes.contains(i)) log("file flash at %.0f ms: in no event", f.flashes().get(i));
            for (int i = 0; i < f.beeps().size(); i++) if (!usedBeeps.contains(i)) log("file beep at %.0f ms: in no event", f.beeps().get(i));
            DoubleSummaryStatistics es = errors.stream().mapToDouble(Double::doubleValue).summaryStatistics();
            log("SUMMARY: %d events, error (positive: sound late) mean %+.1f ms, min %+.1f, max %+.1f; capture offset spread %.1f ms (%.1f within a loop of the files);"
                    + " the file's sound is %.0f ms shorter than its picture; %d not counted; browsers %d s, analysis %d ms, total %d s",
                    errors.size(), es.getAverage(), es.getMin(), es.getMax(), co.getMax() - co.getMin(), withinLoop,
                    f.videoEndMs() + 1000.0 / LipSync.FPS - f.audioEndMs(), uncertain,
                    (browsersDone - begun) / 1000, System.currentTimeMillis() - browsersDone, (System.currentTimeMillis() - begun) / 1000);

            // ---- the measurement is sound ...
            assertTrue(capFlashes.size() >= 8 && capBeeps.size() >= 8, "the probe saw flashes and beeps: " + capFlashes.size() + ", " + capBeeps.size());
            assertEquals(0, capFlashOff, "no captured flash missed or doubled: " + fmt(capFlashes));
            assertEquals(0, capBeepOff, "no captured beep missed or doubled: " + fmt(capBeeps));
            assertTrue(withinLoop <= 20 && glitchedUsed <= 1, "the capture offset holds within each loop of the files: " + fmt(capOffsets) + ";" + perLoop
                    + " " + glitchedUsed + " recorded events off their loop's rhythm");
            assertTrue(af.matched() >= 4 && af.runnerUp() <= af.matched() / 2,
                    "the file's flashes line up with the captured ones: " + af.matched() + " of " + f.flashes().size() + ", next best " + af.runnerUp());
            assertTrue(ab.matched() >= 4 && ab.runnerUp() <= ab.matched() / 2,
                    "the file's beeps line up with the captured ones: " + ab.matched() + " of " + f.beeps().size() + ", next best " + ab.runnerUp());
            assertTrue(f.flashes().size() >= expectFlashes, "every flash captured during the recording is in the file: " + f.flashes().size() + " of " + expectFlashes);
            assertTrue(f.beeps().size() >= expectBeeps, "every beep captured during the recording is in the file: " + f.beeps().size() + " of " + expectBeeps);
            // ... and the requirement
            assertTrue(errors.size() >= 4, "at least 4 events paired: " + errors.size());
            for (double e : errors) assertTrue(Math.abs(e) <= LIMIT_MS, "each beep within " + LIMIT_MS + " ms of its flash; errors (positive: sound late) " + fmt(errors));
        }
    }

    static int indexOf(int[] xs, int v) {
        if (v < 0) return -1;
        for (int i = 0; i < xs.length; i++) if (xs[i] == v) return i;
        return -1;
    }

    static String fmt(List<Double> xs) {
        StringBuilder sb = new StringBuilder("[");
        for (double x : xs) sb.append(sb.length() > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.1f", x));
        return sb.append(']').toString();
    }
}
