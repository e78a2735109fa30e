package org.roundtable.bench.compose;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.mixer.AudioMixer;
import org.roundtable.mixer.compose.AudioTimes;
import org.roundtable.mixer.compose.Composition;
import org.roundtable.mixer.video.Layout;

/**
 * A/V offset and drift of a long composed recording (issue 12: "drift under 20 ms over 10 minutes").
 * One {@link DriftSender} (a member whose clock runs --drift-ppm fast against the server's, flashing and
 * beeping at the same instants, with jittered sender reports) publishes into a {@link Conference}; its
 * microphone goes through the real {@link AudioMixer} (a router subscription, jitter buffer, Opus decode,
 * the 20 ms mix tick) into the {@link Composition}, its camera straight into the composition, which
 * lines pictures up with their sound from both tracks' SenderClocks through {@link AudioTimes} as a
 * meeting's audio does (signaling's MeetingAudio.voice). The composition records --minutes to an MP4,
 * which is then read back ({@link Onsets}): each flash paired with its beep, offset = beep - flash (ms),
 * summarised per minute ({@link DriftReport}). One JSON line.
 * <pre>
 *   bench/run.sh drift [--minutes 10] [--drift-ppm 100] [--size 1280x720] [--seed 1] [--skip-s 5] [--out DIR] [--keep]
 * </pre>
 * Thread: main drives and analyses; "media-loop" runs the sender and the router; "mixer-tick" mixes;
 * the composition has its own thread.
 */
public final class DriftBench {
    record Options(double minutes, double ppm, int width, int height, long seed, double skipS, Path out, boolean keep) {}

    private DriftBench() {}

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        StringBuilder cmd = new StringBuilder("bench/run.sh drift");
        for (String a : args) cmd.append(' ').append(a);
        Path dir = o.out != null ? Files.createDirectories(o.out) : Files.createTempDirectory("roundtable-drift");
        Path file = dir.resolve(String.format(Locale.ROOT, "drift-%sppm-%smin.mp4", fmt(o.ppm).replace("-", "minus"), fmt(o.minutes)));
        Files.deleteIfExists(file);
        FlashPattern pattern = new FlashPattern(o.seed);
        Vp8Camera camera = Vp8Camera.of(FlashPattern::paint, 640, 360, 500_000, FlashPattern.FPS, FlashPattern.LOOP_FRAMES, 60);
        ObjectNode r = ComposeBench.JSON.createObjectNode();
        r.put("scenario", "drift");
        r.put("command", cmd.toString());
        r.put("drift_ppm", o.ppm);
        r.put("minutes", o.minutes);
        r.put("output", o.width + "x" + o.height + "@30");
        record(o, pattern, camera, file, r);
        System.err.printf("[drift] analysing %s (%d MB)%n", file, Files.size(file) >> 20);
        long a0 = System.nanoTime();
        DriftReport.analyse(file, o.skipS * 1000, r);
        r.put("analysis_s", Math.round((System.nanoTime() - a0) / 1e8) / 10.0);
        r.put("file", file.toString());
        System.out.println(r);
        if (!o.keep && o.out == null) {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        System.exit(0);
    }

    /** Runs sender, mixer and composition for the recording's length; puts the run's counters into r. */
    private static void record(Options o, FlashPattern pattern, Vp8Camera camera, Path file, ObjectNode r) throws Exception {
        ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1, t -> daemon(t, "media-loop"));
        ScheduledThreadPoolExecutor ticker = new ScheduledThreadPoolExecutor(1, t -> daemon(t, "mixer-tick"));
        Conference conference = new Conference("drift");
        DriftSender sender = new DriftSender("m0", pattern, camera, o.ppm, o.seed, System.nanoTime());
        AudioMixer mixer = new AudioMixer(AudioMixer.DEFAULT_SPEAKERS, 5);
        AudioMixer.Input input = mixer.addInput("m0", AudioCodec.Kind.OPUS, sender.audio.audioLevelExtId);
        on(loop, () -> {
            conference.addExternalSource(sender.audio);
            conference.addExternalSource(sender.video);
            conference.subscribe(sender.audio, input);
            return null;
        });
        Composition.Config cfg = new Composition.Config(o.width, o.height, 30, 2_500_000, 128_000, Layout.Mode.SPEAKER, "libopenh264");
        Composition comp = new Composition("drift", cfg, conference, loop::execute, () -> System.nanoTime() / 1_000_000L);
        ScheduledFuture<?> feed = null;
        try {
            comp.audioTimes(voice(sender.audio, input));
            mixer.addPcmListener(comp.audioInput());
            comp.follow(List.of(sender.video));
            comp.roster(List.of(new Composition.Member("m0", "Drifting Sender", false)), "m0");
            feed = loop.scheduleAtFixedRate(sender::step, 0, 2, TimeUnit.MILLISECONDS);
            mixer.start(ticker);
            Composition.Output out = comp.record(file, false, why -> System.err.println("[drift] recording failed: " + why));
            long start = System.nanoTime(), end = start + Math.round(o.minutes * 60e9);
            for (long now; (now = System.nanoTime()) < end; ) {
                Thread.sleep(Math.min(60_000, (end - now) / 1_000_000 + 1));
                System.err.printf("[drift] %.1f of %.1f min recorded%n", (System.nanoTime() - start) / 60e9, o.minutes);
            }
            out.stop();
            double wall = (System.nanoTime() - start) / 1e9;
            long cpu = comp.cpuNanos();
            r.put("recorded_s", Math.round(wall * 100) / 100.0);
            r.put("composition_cpu_s", Math.round(cpu / 1e7) / 100.0);
            r.put("composition_core_fraction", Math.round(cpu / 1e9 / wall * 1000) / 1000.0);
            r.put("composition_ticks", comp.ticks);
            r.put("composition_skipped", comp.skipped);
            r.put("composition_audio_frames", comp.audioFrames);
            on(loop, () -> {
                r.put("sender_clock_ahead_ms", Math.round((sender.senderMs(System.nanoTime()) - (System.nanoTime() - start) / 1e6
                        - sender.senderMs(start)) * 10) / 10.0);
                r.put("audio_packets", sender.audioPackets);
                r.put("video_frames", sender.videoFrames);
                r.put("audio_srs", sender.audioSrs);
                r.put("video_srs", sender.videoSrs);
                r.put("keyframe_requests", sender.keyframeRequests);
                r.put("senderclock_fit_error_ppm_audio", Math.round(sender.fitErrorPpm(true) * 10) / 10.0);
                r.put("senderclock_fit_error_ppm_video", Math.round(sender.fitErrorPpm(false) * 10) / 10.0);
                return null;
            });
            long[] losses = mixer.inputLosses();
            r.put("mixer_ticks", mixer.ticks);
            r.put("jitter_late", losses[0]);
            r.put("jitter_lost", losses[1]);
            r.put("jitter_played", input.jitter().played);
        } finally {
            if (feed != null) feed.cancel(false);
            mixer.close();
            comp.close();
            on(loop, () -> {
                conference.unsubscribe(sender.audio, input);
                conference.removeExternalSource(sender.audio);
                conference.removeExternalSource(sender.video);
                return null;
            });
            loop.shutdown();
            ticker.shutdown();
        }
    }

    /**
     * Where the member's voice is in the mix, as MeetingAudio.voice answers it for a real meeting: the
     * sender time (its SenderClock) of the frame the mixer played last, and the tick that played it.
     */
    static AudioTimes voice(MediaSource mic, AudioMixer.Input input) {
        ThreadLocal<long[]> mixed = ThreadLocal.withInitial(() -> new long[2]);
        return (ownerId, out) -> {
            long[] m = mixed.get();
            if (!mic.ownerId.equals(ownerId) || !mic.senderClock.known() || !input.mixed(m)) return false;
            out[0] = mic.senderClock.captureMs(m[0]);
            out[1] = m[1];
            return true;
        };
    }

    private static String fmt(double v) { return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v); }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static <T> T on(ScheduledThreadPoolExecutor loop, Callable<T> c) throws Exception {
        return loop.submit(c).get(10, TimeUnit.SECONDS);
    }

    static Options parse(String[] args) {
        double minutes = 10, ppm = 100, skip = 5;
        int[] size = {1280, 720};
        long seed = 1;
        Path out = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                case "--drift-ppm" -> ppm = Double.parseDouble(args[++i]);
                case "--size" -> { String[] p = args[++i].toLowerCase().split("x"); size = new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])}; }
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--skip-s" -> skip = Double.parseDouble(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--keep" -> keep = true;
                default -> usage("unknown option " + args[i]);
            }
        }
        if (minutes < 0.25 || minutes > 60) usage("--minutes 0.25 to 60");
        if (Math.abs(ppm) > 4000) usage("--drift-ppm within ±4000 (SenderClock follows rates within 0.5%)");
        if (keep && out == null) out = Path.of("bench/target/drift-out");
        return new Options(minutes, ppm, size[0], size[1], seed, skip, out, keep);
    }

    private static void usage(String why) {
        System.err.println(why);
        System.err.println("usage: bench/run.sh drift [--minutes 10] [--drift-ppm 100] [--size 1280x720] [--seed 1] [--skip-s 5] [--out DIR] [--keep]");
        System.exit(2);
    }
}
