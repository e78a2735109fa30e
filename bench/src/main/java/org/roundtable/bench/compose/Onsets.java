package org.roundtable.bench.compose;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flash and beep onsets in a recorded MP4, and their pairing: copied from the browser lip-sync test's
 * detectors (signaling's e2e LipSync, which bench cannot depend on). Video: each frame's mean luma by
 * ffmpeg's signalstats, on the file's own time stamps (-copyts); audio: the decoded sound at 48 kHz mono
 * from the file's time zero. Times in ms of the file's time line; offset = beep - flash.
 * Thread: one caller (runs ffmpeg as a child process).
 */
final class Onsets {
    private Onsets() {}

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
                "-af", "aresample=async=1:first_pts=0", "-ac", "1", "-ar", String.valueOf(FlashPattern.RATE), "-f", "s16le", "-"));
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

    static String runText(List<String> cmd) throws Exception { return new String(runBytes(cmd, true), StandardCharsets.UTF_8); }

    static byte[] runBytes(List<String> cmd) throws Exception { return runBytes(cmd, false); }

    /** stdout (or, with stderr, stdout and stderr together); fails on a non-zero exit or after 15 minutes. */
    private static byte[] runBytes(List<String> cmd, boolean stderr) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(stderr);
        if (!stderr) pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = stderr ? CompletableFuture.completedFuture(new byte[0])
                : CompletableFuture.supplyAsync(() -> { try { return p.getErrorStream().readAllBytes(); } catch (IOException e) { return new byte[0]; } });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(900, TimeUnit.SECONDS)) { p.destroyForcibly(); throw new IllegalStateException("timed out: " + cmd); }
        if (p.exitValue() != 0)
            throw new IllegalStateException("exit " + p.exitValue() + ": " + cmd + "\n" + new String(err.get(), StandardCharsets.UTF_8) + (stderr ? out : ""));
        return out.toByteArray();
    }
}
