package org.roundtable.signaling.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What Debian's ffprobe and ffmpeg say of a media file: streams, duration, a frame's pixels, loudness. */
final class MediaFiles {
    private MediaFiles() {}

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(60, TimeUnit.SECONDS)) { p.destroyForcibly(); throw new IllegalStateException("timed out: " + cmd); }
        return out.toString();
    }

    /** ffprobe's JSON: streams and format. */
    static JsonNode probe(Path f) throws Exception {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", f.toString()).start();
        byte[] b = p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
        return new ObjectMapper().readTree(b);
    }

    static JsonNode stream(JsonNode probe, String type) {
        for (JsonNode s : probe.path("streams")) if (type.equals(s.path("codec_type").asText())) return s;
        return null;
    }

    static double durationSeconds(JsonNode probe) { return probe.path("format").path("duration").asDouble(-1); }

    /** The luma plane of the frame shown at the given second, or null if none decodes there. */
    static byte[] grayFrame(Path f, double atSeconds, int w, int h) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-ss", String.valueOf(atSeconds), "-i", f.toString(), "-frames:v", "1",
                "-f", "rawvideo", "-pix_fmt", "gray", "-").start();
        byte[] b = p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
        return b.length == w * h ? b : null;
    }

    static double meanLuma(byte[] gray, int w, int x0, int y0, int rw, int rh) {
        long s = 0;
        for (int y = y0; y < y0 + rh; y++) for (int x = x0; x < x0 + rw; x++) s += gray[y * w + x] & 0xFF;
        return (double) s / ((long) rw * rh);
    }

    static double meanAbsDiff(byte[] a, byte[] b) {
        long s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
        return (double) s / a.length;
    }

    /** volumedetect's mean volume in dB (-91 for digital silence). */
    static double meanVolumeDb(Path f) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "info", "-nostats", "-i", f.toString(), "-vn", "-af", "volumedetect", "-f", "null", "-"));
        String out = run(cmd);
        int i = out.indexOf("mean_volume:");
        if (i < 0) return -999;
        String v = out.substring(i + 12).trim();
        return Double.parseDouble(v.substring(0, v.indexOf(' ')));
    }
}
