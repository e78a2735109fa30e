package org.roundtable.mixer.compose;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.mixer.AudioMixer;
import org.roundtable.mixer.av.Mp4Muxer;
import org.roundtable.mixer.video.Layout;
import org.roundtable.streaming.LiveSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One meeting's composed picture and sound, made once and written to every output (the recording file;
 * the live stream later). The members' cameras and content shares come in as ordinary router
 * subscriptions and are decoded ({@link VideoInput}); on a fixed output clock (30 fps by default) the
 * layout (active speaker large with a filmstrip, or a grid; a content share takes the main area; names
 * under tiles; members without video as name tiles) is drawn from each tile's last picture, so a member
 * who stops sending never stalls the output; the picture is encoded once, and the meeting mix (48 kHz
 * PCM from the audio mixer's tick, the master clock) once, for all outputs.
 * Thread: a dedicated thread "compose-&lt;meeting&gt;" does all the work; follow() and roster() from any
 * thread post to it; packets arrive on the media loop and PCM on the mixer tick through lock-free rings.
 */
public final class Composition implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Composition.class);

    /**
     * Output settings: size (even), frame rate, bit rates, layout, H.264 encoder name, and how long
     * pictures wait for their sound (syncDelayMs: video may arrive up to this much later than the voice
     * it belongs to and still meet it; the recording's pictures lag the clock by this much).
     */
    public record Config(int width, int height, int fps, int videoBitrate, int audioBitrate, Layout.Mode mode, String encoder, int syncDelayMs) {
        public Config(int width, int height, int fps, int videoBitrate, int audioBitrate, Layout.Mode mode, String encoder) {
            this(width, height, fps, videoBitrate, audioBitrate, mode, encoder, 250);
        }
        public static Config defaults() { return new Config(1280, 720, 30, 2_500_000, 128_000, Layout.Mode.SPEAKER, "libopenh264", 250); }
    }

    /** A member as the picture shows them. audioOnly: a phone, or a camera that is off. */
    public record Member(String id, String name, boolean audioOnly) {}

    /** A file (or stream) being written. Thread: any. */
    public interface Output {
        /** Finalises the output; returns when it is closed. */
        void stop() throws Exception;
        long durationMs();
    }

    private final String name;
    private final Config cfg;
    private final Conference conference;
    private final Executor mediaLoop;
    private final LongSupplier mediaNowMs;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Map<MediaSource, VideoInput> inputs = new IdentityHashMap<>();     // composition thread
    private final PcmRing pcm = new PcmRing();
    private final AudioMixer.PcmListener pcmListener = (frame, speakers) -> pcm.offer(frame, System.nanoTime());
    private volatile AudioTimes audioTimes;
    private final Renderer renderer;
    private volatile Program program;                                                          // composition thread; null: no output
    private LiveOutput live;                                                          // composition thread; null: no live output
    private volatile List<Member> roster = List.of();
    private volatile String speaker;
    private volatile boolean running = true;
    private final Thread thread;
    /** Ticks run, ticks skipped because the thread fell behind, PCM frames lost. For metrics. */
    public volatile long ticks, skipped, audioFrames;
    /**
     * The composition thread's CPU time by stage, in nanoseconds (one thread-CPU clock read per stage per
     * tick): assembling and decoding the inputs, drawing the layout, encoding and writing the picture,
     * encoding and writing the sound; and the input frames handed to the decoders. Written only by the
     * composition thread. For metrics and the benchmark (bench/run.sh compose).
     */
    public volatile long decodeNanos, drawNanos, encodeNanos, audioNanos, inputFrames;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    public Composition(String name, Config cfg, Conference conference, Executor mediaLoop, LongSupplier mediaNowMs) {
        this.name = name;
        this.cfg = cfg;
        this.conference = conference;
        this.mediaLoop = mediaLoop;
        this.mediaNowMs = mediaNowMs;
        this.renderer = new Renderer(cfg);
        this.thread = new Thread(this::run, "compose-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Where the meeting mix goes: add to the meeting's {@link AudioMixer}. */
    public AudioMixer.PcmListener audioInput() { return pcmListener; }

    /** Where each member's voice is in that mix: pictures are put with their sound (lip sync). Any thread. */
    public void audioTimes(AudioTimes t) {
        this.audioTimes = t;
        tasks.add(() -> { for (VideoInput in : inputs.values()) in.audioTimes(t); });
    }

    /** Follows the conference's video sources: subscribes to new ones, drops those gone. Any thread. */
    public void follow(List<MediaSource> video) {
        List<MediaSource> now = List.copyOf(video);
        tasks.add(() -> {
            Map<MediaSource, Boolean> keep = new IdentityHashMap<>();
            for (MediaSource s : now) {
                if (!VideoInput.decodable(s)) continue;
                keep.put(s, true);
                if (inputs.containsKey(s)) continue;
                VideoInput in = new VideoInput(s, () -> mediaLoop.execute(() -> s.requestKeyframe(mediaNowMs.getAsLong())));
                in.audioTimes(audioTimes);
                inputs.put(s, in);
                mediaLoop.execute(() -> {
                    conference.subscribe(s, in);
                    s.requestKeyframe(mediaNowMs.getAsLong());
                });
            }
            for (MediaSource s : new ArrayList<>(inputs.keySet())) {
                VideoInput in = inputs.get(s);
                if (keep.containsKey(s) && !in.removed) continue;
                inputs.remove(s);
                mediaLoop.execute(() -> conference.unsubscribe(s, in));
                in.close();
            }
        });
    }

    /** The members to show and who speaks now. Any thread. */
    public void roster(List<Member> members, String speakerId) {
        this.roster = List.copyOf(members);
        this.speaker = speakerId;
    }

    /**
     * Starts writing an MP4 file (fragmented while it grows; audioOnly: sound alone); onFailure hears why
     * it stopped by itself (a full disk, an encoder error). Any thread.
     */
    public Output record(Path file, boolean audioOnly, Consumer<String> onFailure) throws Exception {
        FileOutput[] made = new FileOutput[1];
        onThread(() -> {
            Program p = program();
            try {
                Mp4Muxer mux = new Mp4Muxer(file, audioOnly ? null : p.ensureVideo(), p.audioEncoder());
                made[0] = new FileOutput(mux, cfg.fps(), onFailure);
                p.add(made[0]);
                LOG.info("recording to {} ({}{}x{} at {} fps)", file, audioOnly ? "audio only, " : "", cfg.width(), cfg.height(), cfg.fps());
            } finally {
                trim();
            }
        });
        FileOutput w = made[0];
        return new Output() {
            @Override public void stop() throws Exception {
                whenDone(() -> {
                    if (program != null) program.remove(w);
                    try { w.close(); } finally { trim(); }
                });
            }
            @Override public long durationMs() { return w.durationMs(); }
        };
    }

    /**
     * Feeds a live output (the HLS stream, an RTMP push) from the next key frame: it is opened here with
     * the program's tracks and closed by the returned output's stop(). Any thread.
     */
    public Output live(LiveSink sink) throws Exception {
        onThread(() -> {
            Program p = program();
            try {
                p.ensureVideo();
                if (live == null) {
                    live = new LiveOutput(cfg);
                    p.add(live);
                }
                live.add(sink, p);
            } finally {
                trim();
            }
        });
        long[] started = {System.nanoTime()};
        return new Output() {
            @Override public void stop() throws Exception {
                whenDone(() -> {
                    if (live != null && !live.remove(sink)) {
                        if (program != null) program.remove(live);
                        live = null;
                    }
                    trim();
                });
            }
            @Override public long durationMs() { return (System.nanoTime() - started[0]) / 1_000_000; }
        };
    }

    /** Asks the program for a key frame soon (a live output reconnected and wants a whole picture). Any thread. */
    public void requestKeyFrame() { tasks.add(() -> { if (program != null) program.requestKeyFrame(); }); }

    private interface Task { void run() throws Exception; }

    /** Runs t on the composition thread and waits for it (10 s at most); its exception is thrown here. */
    private void onThread(Task t) throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        tasks.add(() -> {
            try { t.run(); f.complete(null); } catch (Exception e) { f.completeExceptionally(e); }
        });
        LockSupport.unpark(thread);
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /**
     * Runs t on the composition thread (an output's stop) and waits until it ran, or the composition
     * ended (which closes every output on its way out); from the composition thread itself (an output's
     * own failure) it runs at the next turn of the loop and this returns at once.
     */
    private void whenDone(Task t) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        tasks.add(() -> {
            try { t.run(); done.complete(null); } catch (Exception e) { done.completeExceptionally(e); }
        });
        if (Thread.currentThread() == thread) return;
        long until = System.nanoTime() + 30_000_000_000L;
        while (!done.isDone() && thread.isAlive() && System.nanoTime() < until) {
            try { done.get(100, TimeUnit.MILLISECONDS); } catch (java.util.concurrent.TimeoutException ignored) { }
            catch (java.util.concurrent.ExecutionException e) { throw e.getCause() instanceof Exception x ? x : e; }
        }
    }

    /** The program, made on first use. Composition thread. */
    private Program program() throws java.io.IOException {
        if (program == null) program = new Program(cfg);
        return program;
    }

    /** Ends the program when no output is left, and its video encoder when no output wants pictures. Composition thread. */
    private void trim() {
        if (program == null) return;
        program.trim();
        if (program.isEmpty()) {
            picturesDone += program.pictures;
            program.close();
            program = null;
        }
    }

    private void run() {
        long frameNs = 1_000_000_000L / cfg.fps();
        long t0 = System.nanoTime();
        long n = 0;
        try {
            while (running) {
                for (Runnable r; (r = tasks.poll()) != null; ) r.run();
                long due = t0 + n * frameNs;
                long now = System.nanoTime();
                if (now < due) { LockSupport.parkNanos(Math.min(due - now, 5_000_000)); continue; }
                if (now - due > 10 * frameNs) {                 // far behind (a stall): skip ahead, do not burst
                    long to = (now - t0) / frameNs;
                    skipped += to - n;
                    n = to;
                }
                tick(n, t0 + n * frameNs);
                n++;
            }
        } catch (Throwable t) {
            LOG.error("composition {} stopped", name, t);
            if (program != null) for (Program.Sink w : List.copyOf(program.sinks())) w.fail("the composition failed: " + t);
        } finally {
            StringBuilder sb = new StringBuilder();
            for (VideoInput in : inputs.values()) {
                var a = in.assembler();
                sb.append(String.format(" [%s: %d packets, %d frames (%d key), %d errors, inbox drops %d, lost %d, broken %d, waiting-key drops %d,"
                        + " key requests %d, lip sync %d frames (last moved %.0f ms), %d by arrival, %d forced, shown %.0f ms after due on average]",
                        in.source.id, a.packets, a.frames, a.keyframes, in.decodeErrors, in.inboxDropped(), a.lost, a.brokenFrames,
                        a.droppedWaitingKeyframe, a.keyframeRequests, in.synced, in.lastCorrectionMs, in.unsynced, in.forced,
                        in.shown == 0 ? 0 : in.lateSum / in.shown));
            }
            LOG.info("composition {} ends: {} ticks, {} skipped, {} audio frames, cpu {} ms (decode {}, draw {}, encode {}, audio {});{}",
                    name, ticks, skipped, audioFrames, CPU.getCurrentThreadCpuTime() / 1_000_000, decodeNanos / 1_000_000,
                    drawNanos / 1_000_000, encodeNanos / 1_000_000, audioNanos / 1_000_000, sb);
            for (Runnable r; (r = tasks.poll()) != null; ) { try { r.run(); } catch (RuntimeException ignored) { } }
            for (VideoInput in : inputs.values()) {
                MediaSource s = in.source;
                mediaLoop.execute(() -> conference.unsubscribe(s, in));
                in.close();
            }
            inputs.clear();
            if (program != null) {
                for (Program.Sink w : List.copyOf(program.sinks())) { try { w.close(); } catch (Exception ignored) { } }
                program.close();
                program = null;
            }
            live = null;
            renderer.close();
        }
    }

    /**
     * One output frame, the n-th of the output clock: decode what came, draw, encode once, write to every
     * output (at frame n's time, so frames skipped by a busy machine leave a gap, not a shorter film); then the sound.
     */
    private void tick(long n, long atNanos) {
        ticks++;
        // the sound first: it sets each output's time line (its first mixed frame is time zero)
        long c0 = CPU.getCurrentThreadCpuTime();
        Program p = program;
        audioFrames += pcm.drain((f, mixedAt) -> { if (p != null) p.audio(f, mixedAt); });
        long c1 = CPU.getCurrentThreadCpuTime();
        audioNanos += c1 - c0;
        // pictures are shown syncDelay after the moment their sound was mixed
        double showUpTo = atNanos / 1e6 - cfg.syncDelayMs();
        long decoded = 0;
        for (VideoInput in : inputs.values()) {
            long before = in.frames;
            in.poll();
            in.decodeDue(showUpTo);
            decoded += in.frames - before;
        }
        inputFrames += decoded;
        long c2 = CPU.getCurrentThreadCpuTime();
        decodeNanos += c2 - c1;
        if (p == null || !p.wantsVideo()) return;
        renderer.draw(tiles());
        long c3 = CPU.getCurrentThreadCpuTime();
        drawNanos += c3 - c2;
        p.video(renderer.picture(), atNanos - cfg.syncDelayMs() * 1_000_000L);
        encodeNanos += CPU.getCurrentThreadCpuTime() - c3;
    }

    /** Pictures encoded so far, over every program (one encode for all the outputs). Any thread. */
    public long encodedPictures() { Program p = program; return picturesDone + (p == null ? 0 : p.pictures); }
    private volatile long picturesDone;

    /** The composition thread's CPU time so far in nanoseconds (all of it: stages, idle polling, set-up), or -1. Any thread. */
    public long cpuNanos() { return CPU.getThreadCpuTime(thread.getId()); }

    /** The layout's sources: each member's camera (or name tile) and any content share. */
    private List<Renderer.Cell> tiles() {
        Map<String, VideoInput> camera = new HashMap<>();
        VideoInput content = null;
        for (VideoInput in : inputs.values()) {
            if (in.picture() == null || in.removed) continue;
            if (in.source.content) content = in; else camera.putIfAbsent(in.source.ownerId, in);
        }
        List<Renderer.Cell> cells = new ArrayList<>();
        String sp = speaker;
        if (content != null) {
            String owner = content.source.ownerId;
            String who = owner;
            for (Member m : roster) if (m.id().equals(owner)) who = m.name();
            cells.add(new Renderer.Cell(new Layout.Source("content:" + owner, who, true, true, false), content));
        }
        for (Member m : roster) {
            VideoInput in = m.audioOnly() ? null : camera.get(m.id());
            cells.add(new Renderer.Cell(new Layout.Source(m.id(), m.name(), in != null, false, m.id().equals(sp)), in));
        }
        return cells;
    }

    /** Stops the thread after finalising every output. Any thread. */
    @Override public void close() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            try { thread.join(30_000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
    }
}
