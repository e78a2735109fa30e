package org.roundtable.bench;

import io.github.jaredmdobson.concentus.OpusDecoder;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opus decoding cost: Concentus (pure Java, what the mixer uses) against libopus through FFmpeg, on
 * the same 20 ms packets (60 s of a voice-like signal encoded by FFmpeg's libopus at 32 kbit/s mono).
 * Prints one JSON line: frames decoded per CPU-second for each.
 *   java -cp "bench/target/roundtable-bench.jar:bench/target/lib/*" org.roundtable.bench.OpusDecodeCompare /path/to/ffmpeg
 * (the bytedeco ffmpeg binary, with LD_LIBRARY_PATH set to its folder).
 */
public final class OpusDecodeCompare {
    public static void main(String[] args) throws Exception {
        String ffmpeg = args.length > 0 ? args[0] : "ffmpeg";
        Path dir = Files.createTempDirectory("opus-compare");
        Path ogg = dir.resolve("voice.ogg");
        run(ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                "sine=frequency=220:sample_rate=48000,volume=0.5,tremolo=f=4:d=0.8", "-t", "60", "-ac", "1",
                "-c:a", "libopus", "-b:a", "32k", "-application", "voip", "-frame_duration", "20", ogg.toString());
        List<byte[]> packets = oggPackets(Files.readAllBytes(ogg));
        // Concentus: warm up, then measure this thread's CPU time
        short[] pcm = new short[960 * 6];
        for (int w = 0; w < 3; w++) { OpusDecoder d = new OpusDecoder(48000, 1); for (byte[] p : packets) d.decode(p, 0, p.length, pcm, 0, 960 * 6, false); }
        var mx = ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        int rounds = 5;
        for (int w = 0; w < rounds; w++) { OpusDecoder d = new OpusDecoder(48000, 1); for (byte[] p : packets) d.decode(p, 0, p.length, pcm, 0, 960 * 6, false); }
        double concentusCpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
        // libopus via FFmpeg: its own -benchmark utime (decoding to nothing)
        double best = Double.MAX_VALUE;
        for (int w = 0; w < 3; w++) {
            String out = run(ffmpeg, "-hide_banner", "-benchmark", "-stream_loop", "19", "-c:a", "libopus", "-i", ogg.toString(), "-f", "null", "-");
            Matcher m = Pattern.compile("utime=([0-9.]+)s stime=([0-9.]+)s").matcher(out);
            if (m.find()) best = Math.min(best, Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2)));
        }
        System.out.printf("{\"packets\":%d,\"audio_s\":%.1f,\"concentus_frames_per_cpu_s\":%.0f,\"libopus_ffmpeg_frames_per_cpu_s\":%.0f,"
                        + "\"note\":\"libopus: 20 loops of the file in one FFmpeg run, including its start-up, Ogg demuxing and output\"}%n",
                packets.size(), packets.size() * 0.02, packets.size() * rounds / concentusCpu, packets.size() * 20 / best);
    }

    static String run(String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + "\n" + out);
        return out;
    }

    /** The Opus packets of an Ogg stream (RFC 3533 pages, RFC 7845 mapping; the two header packets skipped). */
    static List<byte[]> oggPackets(byte[] b) {
        List<byte[]> packets = new ArrayList<>();
        ByteArrayOutputStream cur = new ByteArrayOutputStream();
        int p = 0, index = 0;
        while (p + 27 <= b.length && b[p] == 'O' && b[p + 1] == 'g' && b[p + 2] == 'g' && b[p + 3] == 'S') {
            int segs = b[p + 26] & 0xFF;
            int data = p + 27 + segs;
            for (int i = 0; i < segs; i++) {
                int len = b[p + 27 + i] & 0xFF;
                cur.write(b, data, len);
                data += len;
                if (len < 255) {
                    if (index++ >= 2) packets.add(cur.toByteArray());
                    cur.reset();
                }
            }
            p = data;
        }
        return packets;
    }
}
