package org.roundtable.signaling.e2e;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lip-sync measurement (issue 12): test media with a white flash and a 1 kHz beep at the same instants,
 * the detectors that find flash and beep onsets in a recorded MP4, and the event matching.
 * <p>
 * The pattern repeats every {@link #PERIOD_S} seconds with irregular spacing, so that a run of onsets
 * identifies where in the pattern it lies and two streams of onsets (captured in the browser, found in
 * the file) can be matched event for event. Chromium loops the two files independently, and its video
 * loop gains one frame (33 ms) at each wrap (measured), so the capture-side offset between a flash and its
 * beep is measured per event in the sending page, and each event's lip-sync error is its recorded offset
 * minus its own capture offset. Times are in ms unless named _S; offset = beep - flash (positive: the
 * sound comes after the picture).
 */
final class LipSync {
    private LipSync() {}

    static final int WIDTH = 320, HEIGHT = 240, FPS = 30, RATE = 48_000;
    static final double PERIOD_S = 8.0;
    /** Flash and beep instants within one period; their spacings (1.3, 1.6, 1.9, 1.2, 2.0 s) all differ by at least 100 ms. */
    static final double[] EVENTS_S = {0.5, 1.8, 3.4, 5.3, 6.5};
    static final int FLASH_FRAMES = 3;              // 100 ms of white
    static final double BEEP_S = 0.100;
    static final int DARK = 48, WHITE = 235;        // luma of the background and of a flash (video range)
    static final short BEEP_AMPLITUDE = 16_000;

    // ---------------------------------------------------------------------------------------- media

    /** A y4m (YUV4MPEG2, 4:2:0, as Chromium's --use-file-for-fake-video-capture reads it) of one period. */
    static void writeY4m(Path f) throws IOException {
        int ySize = WIDTH * HEIGHT, cSize = ySize / 4;
        byte[] dark = new byte[ySize], white = new byte[ySize], chroma = new byte[2 * cSize];
        Arrays.fill(dark, (byte) DARK);
        Arrays.fill(white, (byte) WHITE);
        Arrays.fill(chroma, (byte) 128);
        byte[] frameHeader = "FRAME\n".getBytes(StandardCharsets.US_ASCII);
        int frames = (int) Math.round(PERIOD_S * FPS);
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(f), 1 << 20)) {
            o.write(String.format(Locale.ROOT, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", WIDTH, HEIGHT, FPS).getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < frames; i++) {
                o.write(frameHeader);
                o.write(isFlashFrame(i) ? white : dark);
                o.write(chroma);
            }
        }
    }

    static boolean isFlashFrame(int i) {
        for (double e : EVENTS_S) {
            int first = (int) Math.round(e * FPS);
            if (i >= first && i < first + FLASH_FRAMES) return true;
        }
        return false;
    }

    /** A 48 kHz mono 16-bit WAV of one period: silence, and a 1 kHz beep (sine from phase 0) at each event. */
    static void writeWav(Path f) throws IOException {
        int n = (int) Math.round(PERIOD_S * RATE);
        ByteBuffer data = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (double e : EVENTS_S) {
            int first = (int) Math.round(e * RATE), len = (int) Math.round(BEEP_S * RATE);
            for (int k = 0; k < len; k++) data.putShort(2 * (first + k), (short) Math.round(BEEP_AMPLITUDE * Math.sin(2 * Math.PI * 1000.0 * k / RATE)));
        }
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * n).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        h.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1).putInt(RATE).putInt(2 * RATE)
                .putShort((short) 2).putShort((short) 16);
        h.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * n);
        try (OutputStream o = Files.newOutputStream(f)) {
            o.write(h.array());
            o.write(data.array());
        }
    }

    /** The pattern's spacings between consecutive events, wrap included (ms). */
    static double[] spacingsMs() {
        double[] s = new double[EVENTS_S.length];
        for (int i = 0; i < s.length; i++) s[i] = 1000 * ((i + 1 < s.length ? EVENTS_S[i + 1] : EVENTS_S[0] + PERIOD_S) - EVENTS_S[i]);
        return s;
    }

    /**
     * How many consecutive intervals of a run of onsets (ms) are not one of the pattern's spacings within
     * tolMs: 0 when no onset was missed and none found twice or out of nothing.
     */
    static int offPattern(List<Double> onsets, double tolMs) {
        int bad = 0;
        double[] sp = spacingsMs();
        for (int i = 1; i < onsets.size(); i++) {
            double d = onsets.get(i) - onsets.get(i - 1);
            boolean ok = false;
            for (double s : sp) ok |= Math.abs(d - s) <= tolMs;
            if (!ok) bad++;
        }
        return bad;
    }

    // ------------------------------------------------------------------------------- the recording

    /** What the file holds: onsets in ms of the file's own timeline (its time stamps as ffmpeg reads them). */
    record FileOnsets(List<Double> flashes, List<Double> beeps, double videoStartMs, double videoEndMs, double audioEndMs,
                      int frames, double lumaBase, double lumaJump, double beepLevel, double[] frameTimes) {
        /**
         * Whether the picture could show a flash at t: frames from 300 ms before to 300 ms after, none
         * more than 70 ms apart (a busy composition leaves gaps, at the start especially).
         */
        boolean videoCovers(double t) {
            if (frameTimes.length == 0 || frameTimes[0] > t - 300 || frameTimes[frameTimes.length - 1] < t + 300) return false;
            for (int i = 1; i < frameTimes.length; i++)
                if (frameTimes[i] >= t - 300 && frameTimes[i - 1] <= t + 300 && frameTimes[i] - frameTimes[i - 1] > 70) return false;
            return true;
        }
    }

    static FileOnsets analyse(Path mp4) throws Exception {
        double[][] luma = frameLuma(mp4);
        double[] t = luma[0], y = luma[1];
        Flashes fl = flashOnsets(t, y);
        float[] pcm = audio(mp4);
        Beeps bp = beepOnsets(pcm, RATE);
        return new FileOnsets(fl.onsets, bp.onsets, t.length > 0 ? t[0] : 0, t.length > 0 ? t[t.length - 1] : 0,
                1000.0 * pcm.length / RATE, t.length, fl.base, fl.jump, bp.level, t);
    }

    private static final Pattern PTS = Pattern.compile("pts_time:(-?[0-9.]+)"), YAVG = Pattern.compile("lavfi\\.signalstats\\.YAVG=([0-9.]+)");

    /** Per video frame: its presentation time (ms, -copyts: the file's own) and the mean luma of the whole picture. */
    static double[][] frameLuma(Path mp4) throws Exception {
        String log = runText(List.of("ffmpeg", "-hide_banner", "-nostats", "-v", "info", "-copyts", "-i", mp4.toString(), "-map", "0:v:0", "-an",
                "-vf", "scale=320:180:flags=area,signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG", "-f", "null", "-"));
        List<double[]> rows = new ArrayList<>();
        double pending = Double.NaN;
        for (String line : log.split("\n")) {
            Matcher m = PTS.matcher(line);
            if (m.find()) { pending = Double.parseDouble(m.group(1)) * 1000; continue; }
            Matcher v = YAVG.matcher(line);
            if (v.find() && !Double.isNaN(pending)) { rows.add(new double[] {pending, Double.parseDouble(v.group(1))}); pending = Double.NaN; }
        }
        double[][] out = new double[2][rows.size()];
        for (int i = 0; i < rows.size(); i++) { out[0][i] = rows.get(i)[0]; out[1][i] = rows.get(i)[1]; }
        return out;
    }

    /**
     * The file's sound, mono float at 48 kHz, sample 0 at time 0 of the file's timeline (aresample pads or
     * trims the start from the time stamps, and fills gaps), so sample i is at i / 48 ms.
     */
    static float[] audio(Path mp4) throws Exception {
        byte[] raw = runBytes(List.of("ffmpeg", "-v", "error", "-copyts", "-i", mp4.toString(), "-map", "0:a:0", "-vn",
                "-af", "aresample=async=1:first_pts=0", "-ac", "1", "-ar", String.valueOf(RATE), "-f", "s16le", "-"));
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] x = new float[raw.length / 2];
        for (int i = 0; i < x.length; i++) x[i] = b.getShort() / 32768f;
        return x;
    }

    record Flashes(List<Double> onsets, double base, double jump) {}

    /**
     * Flash onsets in a run of (time, mean luma): a frame whose luma rises more than half the typical flash
     * jump above the median of the 0.5 s before it, when the luma falls back within 0.4 s (a pulse, not a
     * layout change) and the previous onset is at least 0.6 s earlier. The typical jump is the 98th
     * percentile of (luma - local median); with no jump of 10 or more there are no flashes.
     */
    static Flashes flashOnsets(double[] t, double[] y) {
        int n = t.length;
        double[] base = new double[n], rise = new double[n];
        for (int i = 0; i < n; i++) {
            List<Double> w = new ArrayList<>();
            for (int k = i - 1; k >= 0 && t[k] >= t[i] - 600; k--) if (t[k] <= t[i] - 100) w.add(y[k]);
            base[i] = w.isEmpty() ? y[i] : median(w);
            rise[i] = y[i] - base[i];
        }
        double[] sorted = rise.clone();
        Arrays.sort(sorted);
        double jump = n == 0 ? 0 : sorted[(int) Math.min(n - 1, Math.floor(0.98 * n))];
        List<Double> on = new ArrayList<>();
        if (jump < 10) return new Flashes(on, n == 0 ? 0 : median(toList(y)), jump);
        double thr = 0.5 * jump;
        double last = Double.NEGATIVE_INFINITY;
        for (int i = 1; i < n; i++) {
            if (!(rise[i] > thr && y[i - 1] - base[i] <= thr)) continue;
            if (t[i] - last < 600) continue;
            boolean falls = false;
            for (int k = i + 1; k < n && t[k] <= t[i] + 400; k++) if (y[k] - base[i] < thr) { falls = true; break; }
            if (!falls) continue;
            on.add(t[i]);
            last = t[i];
        }
        return new Flashes(on, median(toList(y)), jump);
    }

    record Beeps(List<Double> onsets, double level) {}

    /**
     * Beep onsets in mono PCM: in 5 ms windows, a window whose RMS exceeds a quarter of the loudest
     * window's after at least 300 ms of windows below it; the onset is the first sample in that window or
     * the one before whose magnitude exceeds a quarter of the loudest window's peak amplitude.
     */
    static Beeps beepOnsets(float[] x, int rate) {
        int win = rate / 200, nw = x.length / win;
        double[] rms = new double[nw];
        double max = 0;
        for (int w = 0; w < nw; w++) {
            double s = 0;
            for (int i = w * win; i < (w + 1) * win; i++) s += x[i] * x[i];
            rms[w] = Math.sqrt(s / win);
            max = Math.max(max, rms[w]);
        }
        List<Double> on = new ArrayList<>();
        if (max < 0.01) return new Beeps(on, max);
        double thr = 0.25 * max, amp = 0.25 * max * Math.sqrt(2);
        int quietNeeded = (int) (0.3 * rate / win), quiet = quietNeeded;
        for (int w = 0; w < nw; w++) {
            if (rms[w] <= thr) { quiet++; continue; }
            if (quiet >= quietNeeded) {
                int from = Math.max(0, (w - 1) * win), i = from;
                while (i < (w + 1) * win && Math.abs(x[i]) <= amp) i++;
                on.add(1000.0 * i / rate);
            }
            quiet = 0;
        }
        return new Beeps(on, max);
    }

    // ------------------------------------------------------------------------------------ matching

    /** A flash with its beep, and offset = beep - flash (ms). */
    record Event(double flash, double beep) {
        double offset() { return beep - flash; }
    }

    /** Each flash with the nearest beep within maxMs of flash + expected(i) (each beep used once); unpaired flashes are left out. */
    static List<Event> pair(List<Double> flashes, List<Double> beeps, double maxMs) {
        List<Event> out = new ArrayList<>();
        boolean[] used = new boolean[beeps.size()];
        for (double f : flashes) {
            int best = -1;
            for (int j = 0; j < beeps.size(); j++)
                if (!used[j] && Math.abs(beeps.get(j) - f) <= maxMs && (best < 0 || Math.abs(beeps.get(j) - f) < Math.abs(beeps.get(best) - f))) best = j;
            if (best >= 0) { used[best] = true; out.add(new Event(f, beeps.get(best))); }
        }
        return out;
    }

    /**
     * Which loop of the files each captured event is in (0, 1, ...): a new loop starts after the pattern's
     * wrap, the 2.0 s spacing, told from the 1.9 s one by the beeps, whose capture times are exact to a
     * few ms. Chromium's video loop gains a frame at each wrap, so the capture offset steps there.
     */
    static int[] loops(List<Event> captured) {
        int[] loop = new int[captured.size()];
        double wrap = 1000 * (EVENTS_S[0] + PERIOD_S - EVENTS_S[EVENTS_S.length - 1]);
        for (int i = 1; i < loop.length; i++)
            loop[i] = loop[i - 1] + (Math.abs(captured.get(i).beep() - captured.get(i - 1).beep() - wrap) <= 50 ? 1 : 0);
        return loop;
    }

    /** Whether each captured event's offset is more than maxMs from the median offset of its loop (a camera frame off its rhythm). */
    static boolean[] glitches(List<Event> captured, int[] loop, double maxMs) {
        boolean[] g = new boolean[captured.size()];
        for (int i = 0; i < g.length; i++) {
            List<Double> same = new ArrayList<>();
            for (int j = 0; j < g.length; j++) if (loop[j] == loop[i]) same.add(captured.get(j).offset());
            g[i] = Math.abs(captured.get(i).offset() - median(same)) > maxMs;
        }
        return g;
    }

    /** How a run of onsets in the file lines up with the captured ones: captured = file + shift; index[i]: the captured onset of file onset i, or -1. */
    record Alignment(double shift, int[] index, int matched, int runnerUp) {}

    /**
     * The shift that lines up the most file onsets with captured ones within tolMs (ties: the smaller
     * residual), refined to the median of the matched differences. The pattern repeats, so only shifts
     * within half a period of roughly (when the file started, on the captured clock) are tried. Because the
     * pattern's spacings all differ, only the right shift matches more than a few events; runnerUp is
     * the best count of any shift tried at least 300 ms away from it.
     */
    static Alignment align(List<Double> file, List<Double> captured, double tolMs, double roughly) {
        double bestShift = 0, bestRes = Double.POSITIVE_INFINITY;
        int best = -1;
        List<double[]> tried = new ArrayList<>();
        for (double c : captured) for (double f : file) {
            double s = c - f;
            if (Math.abs(s - roughly) > 500 * PERIOD_S) continue;
            int count = 0;
            double res = 0;
            for (double g : file) {
                double d = nearest(captured, g + s);
                if (Math.abs(d) <= tolMs) { count++; res += Math.abs(d); }
            }
            tried.add(new double[] {s, count});
            if (count > best || (count == best && res < bestRes)) { best = count; bestRes = res; bestShift = s; }
        }
        int runnerUp = 0;
        for (double[] tr : tried) if (Math.abs(tr[0] - bestShift) > 300) runnerUp = Math.max(runnerUp, (int) tr[1]);
        List<Double> diffs = new ArrayList<>();
        for (double g : file) {
            double d = nearest(captured, g + bestShift);
            if (Math.abs(d) <= tolMs) diffs.add(d);
        }
        double shift = bestShift + (diffs.isEmpty() ? 0 : median(diffs));
        int[] index = new int[file.size()];
        int matched = 0;
        for (int i = 0; i < file.size(); i++) {
            index[i] = -1;
            double want = file.get(i) + shift;
            for (int j = 0; j < captured.size(); j++) {
                if (Math.abs(captured.get(j) - want) <= tolMs && (index[i] < 0 || Math.abs(captured.get(j) - want) < Math.abs(captured.get(index[i]) - want))) index[i] = j;
            }
            if (index[i] >= 0) matched++;
        }
        return new Alignment(shift, index, matched, runnerUp);
    }

    /** (the element of xs nearest to v) - v, or +infinity for an empty list. */
    static double nearest(List<Double> xs, double v) {
        double best = Double.POSITIVE_INFINITY;
        for (double x : xs) if (Math.abs(x - v) < Math.abs(best)) best = x - v;
        return best;
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (a.length == 0) return Double.NaN;
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static List<Double> toList(double[] a) {
        List<Double> l = new ArrayList<>(a.length);
        for (double v : a) l.add(v);
        return l;
    }

    // ------------------------------------------------------------------------------------ processes

    static String runText(List<String> cmd) throws Exception { return new String(runBytes(cmd, true), StandardCharsets.UTF_8); }

    static byte[] runBytes(List<String> cmd) throws Exception { return runBytes(cmd, false); }

    /** stdout (or, with stderr, stdout and stderr together); fails on a non-zero exit or after 60 s. */
    private static byte[] runBytes(List<String> cmd, boolean stderr) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(stderr);
        if (!stderr) pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = stderr ? CompletableFuture.completedFuture(new byte[0])
                : CompletableFuture.supplyAsync(() -> { try { return p.getErrorStream().readAllBytes(); } catch (IOException e) { return new byte[0]; } });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(60, TimeUnit.SECONDS)) { p.destroyForcibly(); throw new IllegalStateException("timed out: " + cmd); }
        if (p.exitValue() != 0)
            throw new IllegalStateException("exit " + p.exitValue() + ": " + cmd + "\n" + new String(err.get(), StandardCharsets.UTF_8) + (stderr ? out : ""));
        return out.toByteArray();
    }
}
