package org.roundtable.mixer.av;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;

/**
 * Finds and runs ffprobe and ffmpeg for the tests: Debian's (/usr/bin) when installed, else the 8.1
 * binaries inside the bytedeco ffmpeg jar (extracted by JavaCPP into its cache; they find their
 * libraries by RUNPATH $ORIGIN).
 */
final class FfTools {
    private static String ffprobe, ffmpeg;

    private FfTools() {}

    static synchronized String ffprobe() {
        if (ffprobe == null) {
            Path debian = Path.of("/usr/bin/ffprobe");
            ffprobe = Files.isExecutable(debian) ? debian.toString() : Loader.load(org.bytedeco.ffmpeg.ffprobe.class);
        }
        return ffprobe;
    }

    static synchronized String ffmpeg() {
        if (ffmpeg == null) {
            Path debian = Path.of("/usr/bin/ffmpeg");
            ffmpeg = Files.isExecutable(debian) ? debian.toString() : Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
        }
        return ffmpeg;
    }

    /** Runs a tool and returns its standard output; fails on a non-zero exit, with its standard error. */
    static byte[] run(String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> copy(p.getErrorStream(), err));
        drain.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd + " timed out");
        }
        drain.join();
        if (p.exitValue() != 0) throw new IOException(cmd + " exited " + p.exitValue() + ": " + err);
        return out;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try { in.transferTo(out); } catch (IOException ignored) { }
    }

    /** ffprobe's streams and format of a file, as JSON. */
    static Map<String, Object> probe(Path file, String... extra) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-v", "error", "-show_streams", "-show_format", "-of", "json"));
        args.addAll(List.of(extra));
        args.add(file.toString());
        return MiniJson.object(MiniJson.parse(new String(run(ffprobe(), args.toArray(String[]::new)))));
    }

    /** The first stream of a type ("video", "audio") in a probe, or null. */
    static Map<String, Object> stream(Map<String, Object> probe, String type) {
        for (Object s : MiniJson.array(probe.get("streams"))) {
            Map<String, Object> m = MiniJson.object(s);
            if (type.equals(m.get("codec_type"))) return m;
        }
        return null;
    }

    /**
     * The luma plane of the video frame shown at {@code seconds}, decoded by ffmpeg (width*height bytes,
     * limited range as coded: asking for {@code -pix_fmt gray} would stretch it to full range).
     */
    static byte[] lumaAt(Path file, double seconds, int width, int height) throws IOException, InterruptedException {
        byte[] yuv = run(ffmpeg(), "-v", "error", "-ss", Double.toString(seconds), "-i", file.toString(),
                "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1");
        if (yuv.length != width * height * 3 / 2) throw new IOException("frame of " + yuv.length + " bytes");
        return java.util.Arrays.copyOf(yuv, width * height);
    }

    static double mean(byte[] luma) {
        long sum = 0;
        for (byte b : luma) sum += b & 0xff;
        return (double) sum / luma.length;
    }

    /** The four-character types of a file's top-level boxes, in order. */
    static List<String> topLevelBoxes(Path file) throws IOException {
        List<String> types = new ArrayList<>();
        try (var ch = Files.newByteChannel(file)) {
            long size = ch.size(), pos = 0;
            java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(16);
            while (pos + 8 <= size) {
                h.clear().limit(16);
                ch.position(pos);
                ch.read(h);
                long len = Integer.toUnsignedLong(h.getInt(0));
                types.add(new String(new byte[] {h.get(4), h.get(5), h.get(6), h.get(7)}, "ISO-8859-1"));
                if (len == 1) len = h.getLong(8);
                else if (len == 0) len = size - pos;
                if (len < 8) break;
                pos += len;
            }
        }
        return types;
    }
}
