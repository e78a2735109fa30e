package org.roundtable.bench.compose;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The drift benchmark's figures from a recorded file: flash and beep onsets ({@link Onsets}), each flash
 * paired with the nearest beep within 500 ms (events are at least 1.2 s apart), offset = beep - flash
 * (ms; positive: the sound comes after the picture). Events in the first skipMs of the file are left out
 * (the sender clocks need a few sender reports). Reported: the mean per minute of the file
 * (minute m: flashes at m to m+1 min), the first and the last minute's means, drift = last - first,
 * the least-squares slope over the whole file (ms per 10 minutes), max |offset|, spread, counts.
 * Thread: one caller.
 */
final class DriftReport {
    private DriftReport() {}

    static void analyse(Path file, double skipMs, ObjectNode r) throws Exception {
        double[][] luma = Onsets.frameLuma(file);
        Onsets.Flashes fl = Onsets.flashOnsets(luma[0], luma[1]);
        float[] pcm = Onsets.audio(file);
        Onsets.Beeps bp = Onsets.beepOnsets(pcm, FlashPattern.RATE);
        List<Onsets.Event> all = Onsets.pair(fl.onsets(), bp.onsets(), 500);
        List<Onsets.Event> ev = new ArrayList<>();
        for (Onsets.Event e : all) if (e.flash() >= skipMs) ev.add(e);
        double durMs = luma[0].length == 0 ? 0 : luma[0][luma[0].length - 1];
        r.put("file_video_frames", luma[0].length);
        r.put("file_video_s", round(durMs / 1000, 2));
        r.put("file_audio_s", round(pcm.length / (double) FlashPattern.RATE, 2));
        r.put("flashes", fl.onsets().size());
        r.put("beeps", bp.onsets().size());
        r.put("paired", all.size());
        r.put("expected_events", (int) Math.floor(durMs / FlashPattern.PERIOD_MS * FlashPattern.EVENTS_MS.length));
        r.put("skipped_first_s", skipMs / 1000);
        r.put("events_used", ev.size());
        r.put("luma_jump", round(fl.jump(), 1));
        if (ev.isEmpty()) { r.put("error", "no flash paired with a beep"); return; }
        int minutes = (int) Math.floor(ev.get(ev.size() - 1).flash() / 60_000) + 1;
        ArrayNode per = r.putArray("per_minute");
        double first = Double.NaN, last = Double.NaN, maxAbs = 0;
        int firstM = -1, lastM = -1;
        for (int m = 0; m < minutes; m++) {
            List<Double> xs = new ArrayList<>();
            for (Onsets.Event e : ev) if ((int) Math.floor(e.flash() / 60_000) == m) xs.add(e.offset());
            if (xs.isEmpty()) continue;
            double mean = mean(xs);
            ObjectNode row = per.addObject();
            row.put("minute", m);
            row.put("events", xs.size());
            row.put("mean_ms", round(mean, 2));
            row.put("sd_ms", round(sd(xs, mean), 2));
            row.put("min_ms", round(xs.stream().mapToDouble(Double::doubleValue).min().orElse(0), 1));
            row.put("max_ms", round(xs.stream().mapToDouble(Double::doubleValue).max().orElse(0), 1));
            if (firstM < 0) { firstM = m; first = mean; }
            lastM = m;
            last = mean;
        }
        List<Double> offs = new ArrayList<>();
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (Onsets.Event e : ev) {
            double x = e.flash() / 60_000, y = e.offset();
            offs.add(y);
            maxAbs = Math.max(maxAbs, Math.abs(y));
            sx += x; sy += y; sxx += x * x; sxy += x * y;
        }
        int n = ev.size();
        double slope = n > 1 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : Double.NaN;   // ms per minute
        double mean = mean(offs);
        r.put("first_minute", firstM);
        r.put("last_minute", lastM);
        r.put("first_minute_mean_ms", round(first, 2));
        r.put("last_minute_mean_ms", round(last, 2));
        r.put("drift_ms", round(last - first, 2));
        r.put("slope_ms_per_10min", round(slope * 10, 2));
        r.put("mean_offset_ms", round(mean, 2));
        r.put("sd_offset_ms", round(sd(offs, mean), 2));
        r.put("max_abs_offset_ms", round(maxAbs, 1));
        r.put("target", "|drift| < 20 ms over 10 minutes");
        if (lastM - firstM >= 9) r.put("target_met", Math.abs(last - first) < 20);
    }

    private static double mean(List<Double> xs) {
        double s = 0;
        for (double x : xs) s += x;
        return s / xs.size();
    }

    private static double sd(List<Double> xs, double mean) {
        double s = 0;
        for (double x : xs) s += (x - mean) * (x - mean);
        return xs.size() > 1 ? Math.sqrt(s / (xs.size() - 1)) : 0;
    }

    private static double round(double v, int digits) {
        double m = Math.pow(10, digits);
        return Math.round(v * m) / m;
    }
}
