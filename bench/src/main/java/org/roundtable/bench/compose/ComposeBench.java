package org.roundtable.bench.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.bridge.rtp.Keyframes;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.mixer.compose.Composition;
import org.roundtable.mixer.video.Layout;

/**
 * CPU of one meeting's composed recording (issue: "CPU per composed 720p30 output at 2, 4, 9 and 16
 * tiles"; target at most 0.3 of a core with 4 tiles). For each tile count N it runs the real
 * {@link Composition} of a {@link Conference} into which N synthetic cameras publish: each a
 * {@link CameraScene} (640x360 by default) encoded ahead of time by FFmpeg's libvpx as a WebRTC sender
 * would (~500 kbit/s CBR, realtime), cut into RTP by {@link Vp8Packetizer} and routed through its
 * {@link MediaSource} at 30 fps on a single media-loop thread, as the bridge would after SRTP; the meeting
 * mix comes every 20 ms from a second thread, as from the audio mixer's tick. After a warm-up it reads,
 * over the window, the composition thread's CPU time (total, and by stage from the composition's own
 * counters), the ticks it ran, and afterwards the MP4's real frame count and duration (ffprobe).
 *
 * <pre>
 *   bench/run.sh compose [--tiles 2,4,9,16] [--seconds 15] [--warmup 3] [--layout grid|speaker]
 *       [--size 1280x720] [--fps 30] [--video-kbps 2500] [--encoder libopenh264]
 *       [--source 640x360] [--source-kbps 500] [--loop-seconds 10] [--out DIR] [--keep] [--cache DIR|none]
 * </pre>
 * Prints one JSON line per tile count and a summary line. Bounded: 1 to 16 tiles, at most 600 s each.
 * Thread: main drives; "media-loop" routes packets; "mixer-tick" hands PCM; the composition's own thread works.
 */
public final class ComposeBench {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] NAMES = {"Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov",
        "Donald Knuth", "Frances Allen", "Ken Thompson", "Margaret Hamilton", "Dennis Ritchie", "Radia Perlman",
        "Tony Hoare", "Leslie Lamport", "Karen Spärck Jones", "John Backus", "Shafi Goldwasser"};

    record Options(int[] tiles, int seconds, int warmup, Layout.Mode mode, int width, int height, int fps, int videoKbps,
                   String encoder, int srcWidth, int srcHeight, int srcKbps, int loopSeconds, Path out, boolean keep, Path cache) {}

    private ComposeBench() {}

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        int max = 0;
        for (int n : o.tiles) max = Math.max(max, n);
        long t0 = System.nanoTime();
        List<Vp8Camera> cams = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            cams.add(Vp8Camera.get(i, o.srcWidth, o.srcHeight, o.srcKbps * 1000, 30, o.loopSeconds * 30, o.cache));
        }
        double kbps = 0;
        int keys = 0;
        for (Vp8Camera c : cams) { kbps += c.bitsPerSecond() / 1000 / cams.size(); keys += c.keyframes(); }
        System.err.printf("[compose] %d sources of %dx%d VP8 ready in %.1f s: mean %.0f kbit/s, %d key frames in %d frames%n",
                max, o.srcWidth, o.srcHeight, (System.nanoTime() - t0) / 1e9, kbps, keys, max * o.loopSeconds * 30);
        Path dir = o.out != null ? Files.createDirectories(o.out) : Files.createTempDirectory("roundtable-compose");
        ObjectNode summary = JSON.createObjectNode();
        summary.put("scenario", "compose-summary");
        ObjectNode cores = summary.putObject("core_fraction_by_tiles");
        ObjectNode fpsBy = summary.putObject("file_fps_by_tiles");
        for (int n : o.tiles) {
            ObjectNode r = run(o, n, cams.subList(0, n), dir);
            r.put("source_kbps", Math.round(mean(cams.subList(0, n))));
            System.out.println(r);
            cores.put(Integer.toString(n), r.get("core_fraction").asDouble());
            fpsBy.put(Integer.toString(n), r.path("file_fps").asDouble());
        }
        summary.put("output", o.width + "x" + o.height + "@" + o.fps);
        summary.put("layout", o.mode.name().toLowerCase());
        summary.put("target", "4 tiles at 720p30 <= 0.3 core");
        if (cores.has("4") && o.width == 1280 && o.height == 720 && o.fps == 30) summary.put("target_met", cores.get("4").asDouble() <= 0.3);
        System.out.println(summary);
        if (!o.keep && o.out == null) {
            try (var files = Files.list(dir)) { files.forEach(f -> f.toFile().delete()); }
            Files.deleteIfExists(dir);
        }
        System.exit(0);
    }

    private static double mean(List<Vp8Camera> cams) {
        double s = 0;
        for (Vp8Camera c : cams) s += c.bitsPerSecond() / 1000;
        return s / cams.size();
    }

    /** One camera publishing into the conference: its loop of frames, cut into RTP at 30 fps. Media loop. */
    private static final class Camera {
        final MediaSource source;
        final Vp8Camera video;
        final Vp8Packetizer packetizer;
        int next;
        long rtpTs;
        boolean restart;
        long keyframeRequests, packets, frames;

        Camera(int i, Vp8Camera video, Map<MediaSource, Camera> byId) {
            int ssrc = 0x5EED0000 + i;
            this.video = video;
            this.source = new MediaSource("cam-" + i, "m" + i, "1", MediaKind.VIDEO, Keyframes.Codec.VP8, 90_000, 96, -1, ssrc, 0,
                    s -> { Camera c = byId.get(s); c.keyframeRequests++; c.restart = true; }, false);
            this.packetizer = new Vp8Packetizer(96, ssrc, 1000 * i + 17, 100 * i, 1200);
            this.rtpTs = 0x10000000L * (i % 8);
            byId.put(source, this);
        }

        /** The next frame's packets through the router; nothing until someone subscribes (then it starts at the key frame). */
        void send() {
            if (source.subscriptions().length == 0) return;
            if (restart) { next = 0; restart = false; }
            byte[] f = video.frames.get(next);
            long now = nowMs();
            for (byte[] p : packetizer.packetize(f, 0, f.length, rtpTs & 0xFFFFFFFFL)) {
                ByteBuf b = Unpooled.wrappedBuffer(p);
                try { source.route(b, 0, p.length, Vp8Packetizer.HEADER, now, false); } finally { b.release(); }
                packets++;
            }
            frames++;
            rtpTs += 90_000 / video.fps;
            next = (next + 1) % video.frames.size();
        }
    }

    static long nowMs() { return System.nanoTime() / 1_000_000L; }

    private record Snapshot(long wallNs, long cpu, long decode, long draw, long encode, long audio, long ticks, long skipped,
                            long inputFrames, long processCpu, long mediaLoopCpu) {}

    private static Snapshot snap(Composition c, long mediaLoopTid) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new Snapshot(System.nanoTime(), c.cpuNanos(), c.decodeNanos, c.drawNanos, c.encodeNanos, c.audioNanos, c.ticks, c.skipped,
                c.inputFrames, os.getProcessCpuTime(), mx.getThreadCpuTime(mediaLoopTid));
    }

    static ObjectNode run(Options o, int n, List<Vp8Camera> videos, Path dir) throws Exception {
        ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "media-loop"));
        ScheduledThreadPoolExecutor mixer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "mixer-tick"));
        Conference conference = new Conference("bench-" + n);
        Map<MediaSource, Camera> byId = new IdentityHashMap<>();
        List<Camera> cams = new ArrayList<>();
        for (int i = 0; i < n; i++) cams.add(new Camera(i, videos.get(i), byId));
        long loopTid = on(loop, () -> {
            for (Camera c : cams) conference.addExternalSource(c.source);
            return Thread.currentThread().getId();
        });
        Composition.Config cfg = new Composition.Config(o.width, o.height, o.fps, o.videoKbps * 1000, 128_000, o.mode, o.encoder);
        Composition comp = new Composition("bench" + n, cfg, conference, loop::execute, ComposeBench::nowMs);
        List<ScheduledFuture<?>> feeds = new ArrayList<>();
        Path file = dir.resolve("compose-" + n + "-tiles.mp4");
        Files.deleteIfExists(file);
        long recordStart, recordEnd;
        Snapshot a, b;
        try {
            List<MediaSource> sources = new ArrayList<>();
            List<Composition.Member> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sources.add(cams.get(i).source);
                members.add(new Composition.Member("m" + i, NAMES[i % NAMES.length], false));
            }
            comp.follow(sources);
            comp.roster(members, "m0");
            Composition.Output out = comp.record(file, false, reason -> System.err.println("[compose] recording failed: " + reason));
            recordStart = System.nanoTime();
            long frameNs = 1_000_000_000L / 30;
            for (int i = 0; i < n; i++) {
                Camera c = cams.get(i);
                feeds.add(loop.scheduleAtFixedRate(c::send, frameNs * i / n, frameNs, TimeUnit.NANOSECONDS));
            }
            short[] pcm = new short[AudioCodec.FRAME];
            long[] sample = {0};
            feeds.add(mixer.scheduleAtFixedRate(() -> {
                speech(pcm, sample[0]);
                sample[0] += pcm.length;
                comp.audioInput().pcm(pcm, 1);
            }, 0, 20, TimeUnit.MILLISECONDS));
            Thread.sleep(o.warmup * 1000L);
            a = snap(comp, loopTid);
            Thread.sleep(o.seconds * 1000L);
            b = snap(comp, loopTid);
            recordEnd = System.nanoTime();
            out.stop();
        } finally {
            for (ScheduledFuture<?> f : feeds) f.cancel(false);
            comp.close();
            on(loop, () -> { for (Camera c : cams) conference.removeExternalSource(c.source); return null; });
            loop.shutdown();
            mixer.shutdown();
        }
        double s = (b.wallNs - a.wallNs) / 1e9;
        ObjectNode r = JSON.createObjectNode();
        r.put("scenario", "compose");
        r.put("tiles", n);
        r.put("layout", o.mode.name().toLowerCase());
        r.put("output", o.width + "x" + o.height);
        r.put("fps", o.fps);
        r.put("video_kbps", o.videoKbps);
        r.put("sources", o.srcWidth + "x" + o.srcHeight + " VP8");
        r.put("window_s", round(s, 2));
        r.put("fps_out", round((b.ticks - a.ticks) / s, 2));
        r.put("skipped", b.skipped - a.skipped);
        r.put("input_fps", round((b.inputFrames - a.inputFrames) / s / n, 2));
        ObjectNode cpu = r.putObject("cpu_ms_per_s");
        double total = (b.cpu - a.cpu) / 1e6 / s;
        double dec = (b.decode - a.decode) / 1e6 / s, draw = (b.draw - a.draw) / 1e6 / s;
        double enc = (b.encode - a.encode) / 1e6 / s, aud = (b.audio - a.audio) / 1e6 / s;
        cpu.put("total", round(total, 1));
        cpu.put("decode", round(dec, 1));
        cpu.put("draw", round(draw, 1));
        cpu.put("encode", round(enc, 1));
        cpu.put("audio", round(aud, 1));
        cpu.put("other", round(total - dec - draw - enc - aud, 1));
        r.put("decode_ms_per_s_per_source", round(dec / n, 2));
        r.put("core_fraction", round(total / 1000, 3));
        r.put("media_loop_ms_per_s", round((b.mediaLoopCpu - a.mediaLoopCpu) / 1e6 / s, 1));
        r.put("process_cpu_ms_per_s", round((b.processCpu - a.processCpu) / 1e6 / s, 1));
        long requests = 0, packets = 0;
        for (Camera c : cams) { requests += c.keyframeRequests; packets += c.packets; }
        r.put("keyframe_requests", requests);
        r.put("packets_routed", packets);
        r.put("recorded_s", round((recordEnd - recordStart) / 1e9, 2));
        probe(file, r);
        r.put("file", file.toString());
        return r;
    }

    /** The MP4 as a player sees it: video frames counted by decoding, duration, bit rate (ffprobe). */
    private static void probe(Path file, ObjectNode r) {
        try {
            Process p = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                    "-show_entries", "stream=nb_read_frames,avg_frame_rate,width,height,codec_name:format=duration,size,bit_rate",
                    "-of", "json", file.toString()).redirectErrorStream(false).start();
            byte[] outBytes = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                r.put("ffprobe_error", new String(p.getErrorStream().readAllBytes()).strip());
                return;
            }
            JsonNode j = JSON.readTree(outBytes);
            JsonNode st = j.path("streams").path(0), fm = j.path("format");
            long frames = st.path("nb_read_frames").asLong();
            double dur = fm.path("duration").asDouble();
            r.put("frames", frames);
            r.put("duration_s", round(dur, 3));
            r.put("file_fps", dur > 0 ? round(frames / dur, 2) : 0);
            r.put("file_codec", st.path("codec_name").asText() + " " + st.path("width").asInt() + "x" + st.path("height").asInt());
            r.put("file_kbps", Math.round(fm.path("bit_rate").asDouble() / 1000));
        } catch (IOException | InterruptedException e) {
            r.put("ffprobe_error", e.toString());
        }
    }

    /** A voice-like meeting mix: a 140 Hz buzz with harmonics, syllables about 4 a second, pauses. */
    static void speech(short[] pcm, long start) {
        for (int i = 0; i < pcm.length; i++) {
            double t = (start + i) / 48_000.0;
            double env = Math.max(0, Math.sin(2 * Math.PI * 4 * t)) * (Math.sin(2 * Math.PI * 0.2 * t) > -0.3 ? 1 : 0);
            double f0 = 140 + 20 * Math.sin(2 * Math.PI * 0.7 * t);
            double v = 0;
            for (int h = 1; h <= 6; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
            pcm[i] = (short) (4000 * env * v);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static <T> T on(ScheduledThreadPoolExecutor loop, Callable<T> c) throws Exception {
        return loop.submit(c).get(10, TimeUnit.SECONDS);
    }

    private static double round(double v, int digits) {
        double m = Math.pow(10, digits);
        return Math.round(v * m) / m;
    }

    static Options parse(String[] args) {
        int[] tiles = {2, 4, 9, 16};
        int seconds = 15, warmup = 3, fps = 30, videoKbps = 2500, srcKbps = 500, loopSeconds = 10;
        int[] size = {1280, 720}, src = {640, 360};
        Layout.Mode mode = Layout.Mode.GRID;
        String encoder = "libopenh264";
        Path out = null, cache = Path.of("bench/target/compose-sources");
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tiles" -> {
                    String[] p = args[++i].split(",");
                    tiles = new int[p.length];
                    for (int k = 0; k < p.length; k++) tiles[k] = Integer.parseInt(p[k].trim());
                }
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--layout" -> mode = Layout.Mode.valueOf(args[++i].toUpperCase());
                case "--size" -> size = size(args[++i]);
                case "--fps" -> fps = Integer.parseInt(args[++i]);
                case "--video-kbps" -> videoKbps = Integer.parseInt(args[++i]);
                case "--encoder" -> encoder = args[++i];
                case "--source" -> src = size(args[++i]);
                case "--source-kbps" -> srcKbps = Integer.parseInt(args[++i]);
                case "--loop-seconds" -> loopSeconds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--keep" -> keep = true;
                case "--cache" -> { String c = args[++i]; cache = c.equals("none") ? null : Path.of(c); }
                default -> usage("unknown option " + args[i]);
            }
        }
        for (int n : tiles) if (n < 1 || n > Layout.MAX_TILES) usage("tiles are 1 to " + Layout.MAX_TILES);
        if (seconds < 1 || seconds > 600 || warmup < 0 || warmup > 60) usage("bounded: 1 to 600 s, warm-up up to 60 s");
        if (loopSeconds < 1 || loopSeconds > 60) usage("--loop-seconds 1 to 60");
        if (keep && out == null) out = Path.of("bench/target/compose-out");
        return new Options(tiles, seconds, warmup, mode, size[0], size[1], fps, videoKbps, encoder, src[0], src[1], srcKbps,
                loopSeconds, out, keep, cache);
    }

    private static int[] size(String s) {
        String[] p = s.toLowerCase().split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }

    private static void usage(String why) {
        System.err.println(why);
        System.err.println("usage: bench/run.sh compose [--tiles 2,4,9,16] [--seconds 15] [--warmup 3] [--layout grid|speaker]"
                + " [--size 1280x720] [--fps 30] [--video-kbps 2500] [--encoder libopenh264] [--source 640x360] [--source-kbps 500]"
                + " [--loop-seconds 10] [--out DIR] [--keep] [--cache DIR|none]");
        System.exit(2);
    }
}
