package org.roundtable.streaming;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A live program for tests, as the composition would give it: H.264 (no B-frames, a key frame every 2 s,
 * 640x360 at 30 fps, Annex B access units) and AAC-LC (48 kHz mono, raw frames), made once by Debian's
 * ffmpeg (libx264 is fine in a test; the server ships OpenH264) from lavfi's test picture and a 1 kHz
 * tone, and parsed here into {@link LiveFrame}s with the composition's time stamps. Thread: any.
 */
public final class TestProgram {
    public final LiveTracks tracks;
    /** Video and audio frames, interleaved by time. */
    public final List<LiveFrame> frames;
    public final long durationMicros;

    private TestProgram(LiveTracks tracks, List<LiveFrame> frames, long durationMicros) {
        this.tracks = tracks;
        this.frames = frames;
        this.durationMicros = durationMicros;
    }

    /** A program of the given length (seconds), cached under target/. */
    public static TestProgram make(int seconds) throws IOException, InterruptedException {
        Path dir = Path.of("target", "test-program-" + seconds);
        Files.createDirectories(dir);
        Path v = dir.resolve("v.h264"), a = dir.resolve("a.aac");
        if (!Files.exists(v) || !Files.exists(a)) {
            run(dir, "ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                    "-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "60", "-keyint_min", "60",
                    "-sc_threshold", "0", "-x264-params", "aud=1", "-pix_fmt", "yuv420p", "-f", "h264", "v.h264.tmp");
            run(dir, "ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
                    "-t", Integer.toString(seconds), "-c:a", "aac", "-ac", "1", "-b:a", "96k", "-f", "adts", "a.aac.tmp");
            Files.move(dir.resolve("v.h264.tmp"), v);
            Files.move(dir.resolve("a.aac.tmp"), a);
        }
        byte[] h264 = Files.readAllBytes(v), aac = Files.readAllBytes(a);
        List<LiveFrame> out = new ArrayList<>();
        byte[][] params = new byte[2][];
        List<byte[]> units = accessUnits(h264, params);
        int fps = 30;
        for (int i = 0; i < units.size(); i++) {
            byte[] u = units.get(i);
            out.add(LiveFrame.video(u, i * 1_000_000L / fps, isKey(u)));
        }
        int[] cfg = new int[3];
        List<byte[]> audio = adtsFrames(aac, cfg);
        for (int k = 0; k < audio.size(); k++) out.add(LiveFrame.audio(audio.get(k), k * 1024L * 1_000_000L / cfg[1]));
        out.sort(Comparator.comparingLong(LiveFrame::ptsMicros));
        int sfi = Arrays.asList(96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000).indexOf(cfg[1]);
        byte[] asc = {(byte) ((cfg[0] << 3) | (sfi >> 1)), (byte) (((sfi & 1) << 7) | (cfg[2] << 3))};
        LiveTracks t = new LiveTracks(640, 360, fps, params[0], params[1], cfg[1], cfg[2], asc);
        return new TestProgram(t, List.copyOf(out), Math.max(units.size() * 1_000_000L / fps, audio.size() * 1024L * 1_000_000L / cfg[1]));
    }

    /** Feeds the program to a sink in real time (or as fast as it goes: realTime false), opened and closed. */
    public void play(LiveSink sink, boolean realTime) throws InterruptedException {
        sink.open(tracks);
        long t0 = System.nanoTime();
        for (LiveFrame f : frames) {
            if (realTime) {
                long wait = t0 + f.ptsMicros() * 1000 - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            }
            sink.frame(f);
        }
        sink.close();
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + log);
    }

    /** Splits Annex B at access unit delimiters (NAL 9); notes the first SPS (7) and PPS (8). */
    static List<byte[]> accessUnits(byte[] b, byte[][] params) {
        List<int[]> nals = new ArrayList<>();         // {start of start code, start of NAL}
        for (int i = 0; i + 3 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && (b[i + 2] == 1 || (b[i + 2] == 0 && b[i + 3] == 1))) {
                int nal = b[i + 2] == 1 ? i + 3 : i + 4;
                nals.add(new int[] {i, nal});
                i = nal;
            }
        }
        List<byte[]> units = new ArrayList<>();
        int auStart = -1;
        for (int n = 0; n < nals.size(); n++) {
            int s = nals.get(n)[0], nal = nals.get(n)[1];
            int end = n + 1 < nals.size() ? nals.get(n + 1)[0] : b.length;
            int type = b[nal] & 0x1f;
            if (type == 7 && params[0] == null) params[0] = Arrays.copyOfRange(b, nal, trimZeros(b, nal, end));
            if (type == 8 && params[1] == null) params[1] = Arrays.copyOfRange(b, nal, trimZeros(b, nal, end));
            if (type == 9) {
                if (auStart >= 0) units.add(Arrays.copyOfRange(b, auStart, s));
                auStart = s;
            }
        }
        if (auStart >= 0) units.add(Arrays.copyOfRange(b, auStart, b.length));
        return units;
    }

    private static int trimZeros(byte[] b, int from, int end) {
        while (end > from && b[end - 1] == 0) end--;
        return end;
    }

    /** Whether an Annex B access unit holds an IDR slice (NAL 5). */
    public static boolean isKey(byte[] u) {
        for (int i = 0; i + 3 < u.length; i++) {
            if (u[i] == 0 && u[i + 1] == 0 && u[i + 2] == 1 && (u[i + 3] & 0x1f) == 5) return true;
        }
        return false;
    }

    /** Raw AAC frames from ADTS; cfg gets {audio object type, sample rate, channels}. */
    static List<byte[]> adtsFrames(byte[] b, int[] cfg) {
        int[] rates = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350};
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        while (i + 7 <= b.length) {
            if ((b[i] & 0xff) != 0xff || (b[i + 1] & 0xf0) != 0xf0) throw new IllegalStateException("lost ADTS sync at " + i);
            boolean noCrc = (b[i + 1] & 1) == 1;
            cfg[0] = ((b[i + 2] >> 6) & 3) + 1;
            cfg[1] = rates[(b[i + 2] >> 2) & 0xf];
            cfg[2] = ((b[i + 2] & 1) << 2) | ((b[i + 3] >> 6) & 3);
            int len = ((b[i + 3] & 3) << 11) | ((b[i + 4] & 0xff) << 3) | ((b[i + 5] >> 5) & 7);
            int hdr = noCrc ? 7 : 9;
            out.add(Arrays.copyOfRange(b, i + hdr, i + len));
            i += len;
        }
        return out;
    }
}
