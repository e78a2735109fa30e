package org.roundtable.recorder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recordings and their files: where each file goes (one folder per meeting, named by the meeting's number
 * and the start time), its row in the catalog from start to end, what a crash left behind (rows still
 * "recording" at start-up become "interrupted"; the fragmented file is kept and plays up to its last
 * fragment), progress written every few seconds (so an interrupted row says how much it holds), refusal
 * when the disk is nearly full, and retention (files older than N days are deleted with their rows).
 * What writes a file is a {@link Job} (the meeting's composition and its MP4 writer): this class does not
 * know how media is made. Thread-safe; progress and retention run on the given timer.
 */
public final class RecordingService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingService.class);
    private static final SecureRandom RND = new SecureRandom();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /** A file being written. Thread: stop() from any thread, once. */
    public interface Job {
        /** Stops and finalises the file (a normal MP4); returns when it is closed. */
        void stop() throws Exception;
        /** Media time written so far. */
        long durationMs();
    }

    /** Starts writing media to file; onFailure(reason) when the writer stops by itself (disk full, encoder error). */
    public interface Source {
        Job start(Path file, Consumer<String> onFailure) throws Exception;
    }

    /** A refusal with a machine-readable code (recorder_busy, disk_full, not_recording, failed). */
    public static final class RecorderException extends Exception {
        public final String code;
        public RecorderException(String code, String message) { super(message); this.code = code; }
    }

    /** Configuration: where files go, the free space below which no recording starts, retention (0: keep forever). */
    public record Config(Path dir, long minFreeBytes, int retentionDays) {}

    private final Config cfg;
    private final RecordingCatalog catalog;
    private final Clock clock;
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> progress, retention;
    private final LongAdder started = new LongAdder(), complete = new LongAdder(), failed = new LongAdder(), interrupted = new LongAdder();

    private final class Active {
        volatile Recording row;
        volatile Job job;
        final Path file;
        Active(Recording row, Path file) { this.row = row; this.file = file; }
    }

    public RecordingService(Config cfg, RecordingCatalog catalog, Clock clock, ScheduledExecutorService timer) {
        this.cfg = cfg;
        this.catalog = catalog;
        this.clock = clock;
        recover();
        this.progress = timer.scheduleWithFixedDelay(this::writeProgress, 5, 5, TimeUnit.SECONDS);
        this.retention = timer.scheduleWithFixedDelay(this::sweep, 1, 3600, TimeUnit.SECONDS);
    }

    /** Rows a crash left in state recording: marked interrupted, with the file's size; the files stay. */
    void recover() {
        for (Recording r : catalog.inState(Recording.RECORDING)) {
            if (active.containsKey(r.id())) continue;
            Path f = cfg.dir().resolve(r.file());
            long bytes = size(f);
            catalog.update(r.finished(r.stoppedMs() != null ? r.stoppedMs() : clock.millis(), r.durationMs() == null ? 0 : r.durationMs(), bytes,
                    Recording.INTERRUPTED, "the server stopped while recording"));
            interrupted.increment();
            LOG.warn("recording {} of meeting {} was interrupted by a stop of the server: {} kept ({} bytes)", r.id(), r.meetingId(), f, bytes);
        }
    }

    /**
     * Starts recording a meeting into a new file. kind: composed or audio. The row is written before the
     * first byte, so a crash at any point leaves a row to find.
     */
    public Recording start(String meetingId, String meetingNumber, String creatorId, String creatorName, String kind, Source source)
            throws RecorderException {
        try {
            Files.createDirectories(cfg.dir());
            long free = Files.getFileStore(cfg.dir()).getUsableSpace();
            if (free < cfg.minFreeBytes()) throw new RecorderException("disk_full", "not enough free disk space to record ("
                    + free / (1 << 20) + " MB free, " + cfg.minFreeBytes() / (1 << 20) + " MB needed)");
        } catch (IOException e) {
            throw new RecorderException("failed", "cannot write recordings: " + e.getMessage());
        }
        long now = clock.millis();
        String id = Long.toString(RND.nextLong() & Long.MAX_VALUE, 36);
        String folder = safe(meetingNumber != null ? meetingNumber : meetingId);
        String ext = kind.equals("audio") ? ".m4a" : ".mp4";
        String rel = folder + "/" + folder + "-" + STAMP.format(Instant.ofEpochMilli(now)) + "-" + id.substring(0, Math.min(4, id.length())) + ext;
        Path file = cfg.dir().resolve(rel);
        Recording row = new Recording(id, meetingId, meetingNumber, creatorId, creatorName, kind, rel, kind.equals("audio") ? "audio/mp4" : "video/mp4",
                now, null, 0L, 0L, Recording.RECORDING, null);
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new RecorderException("failed", "cannot create " + file.getParent() + ": " + e.getMessage());
        }
        catalog.insert(row);
        Active a = new Active(row, file);
        active.put(id, a);
        try {
            a.job = source.start(file, reason -> failedByItself(id, reason));
        } catch (Exception e) {
            active.remove(id);
            catalog.update(row.finished(clock.millis(), 0, size(file), Recording.FAILED, String.valueOf(e.getMessage())));
            failed.increment();
            throw new RecorderException("failed", "the recording could not start: " + e.getMessage());
        }
        started.increment();
        LOG.info("recording {} of meeting {} started by {}: {}", id, meetingId, creatorName, file);
        return row;
    }

    /** Stops a recording cleanly: the file is finalised and its row completed. */
    public Recording stop(String id) throws RecorderException {
        Active a = active.remove(id);
        if (a == null) throw new RecorderException("not_recording", "no such recording in progress");
        String state = Recording.COMPLETE, reason = null;
        try {
            a.job.stop();
        } catch (Exception e) {
            state = Recording.FAILED;
            reason = "finalising the file failed: " + e.getMessage();
            LOG.warn("recording {}: {}", id, reason);
        }
        Recording done = a.row.finished(clock.millis(), a.job.durationMs(), size(a.file), state, reason);
        catalog.update(done);
        (state.equals(Recording.COMPLETE) ? complete : failed).increment();
        LOG.info("recording {} of meeting {} {}: {} ms, {} bytes", id, done.meetingId(), state, done.durationMs(), done.bytes());
        return done;
    }

    /** The writer gave up (disk full, encoder error): the row says why; the file so far is kept. */
    private void failedByItself(String id, String reason) {
        Active a = active.remove(id);
        if (a == null) return;
        try { if (a.job != null) a.job.stop(); } catch (Exception ignored) { }
        catalog.update(a.row.finished(clock.millis(), a.job == null ? 0 : a.job.durationMs(), size(a.file), Recording.FAILED, reason));
        failed.increment();
        LOG.warn("recording {} of meeting {} stopped: {}", id, a.row.meetingId(), reason);
        java.util.function.BiConsumer<Recording, String> l = failureListener;
        if (l != null) catalog.find(id).ifPresent(r -> l.accept(r, reason));
    }

    private volatile java.util.function.BiConsumer<Recording, String> failureListener;

    /** Hears a recording that stopped by itself, and why (the meeting tells its hosts). */
    public void onFailure(java.util.function.BiConsumer<Recording, String> l) { this.failureListener = l; }

    public boolean recording(String id) { return active.containsKey(id); }

    public int activeCount() { return active.size(); }

    public java.util.List<Recording> files(String meetingId) { return catalog.forMeeting(meetingId); }

    public java.util.Optional<Recording> find(String id) { return catalog.find(id); }

    /** Where a recording's file is (inside the recordings directory). */
    public Path fileOf(Recording r) {
        Path f = cfg.dir().resolve(r.file()).normalize();
        if (!f.startsWith(cfg.dir().normalize())) throw new IllegalStateException("a recording outside the recordings directory: " + r.file());
        return f;
    }

    private void writeProgress() {
        try {
            for (Active a : active.values()) {
                Job j = a.job;
                if (j == null) continue;
                Recording r = a.row;
                catalog.update(new Recording(r.id(), r.meetingId(), r.meetingNumber(), r.creatorId(), r.creatorName(), r.kind(), r.file(), r.mime(),
                        r.startedMs(), null, j.durationMs(), size(a.file), Recording.RECORDING, null));
            }
        } catch (RuntimeException e) {
            LOG.warn("recording progress: {}", e.toString());
        }
    }

    /** Deletes files (and rows) older than the retention period; files being written stay. */
    public int sweep() {
        if (cfg.retentionDays() <= 0) return 0;
        int n = 0;
        try {
            long before = clock.millis() - cfg.retentionDays() * 86_400_000L;
            for (Recording r : catalog.startedBefore(before)) {
                if (active.containsKey(r.id()) || r.state().equals(Recording.RECORDING)) continue;
                try {
                    Files.deleteIfExists(fileOf(r));
                    catalog.delete(r.id());
                    n++;
                } catch (IOException | RuntimeException e) {
                    LOG.warn("retention: cannot delete {}: {}", r.file(), e.toString());
                }
            }
            if (n > 0) LOG.info("retention: deleted {} recordings older than {} days", n, cfg.retentionDays());
        } catch (RuntimeException e) {
            LOG.warn("retention: {}", e.toString());
        }
        return n;
    }

    /** Counters for /metrics: started, complete, failed, interrupted (at start-up). */
    public long[] counts() { return new long[] {started.sum(), complete.sum(), failed.sum(), interrupted.sum()}; }

    public long bytesBeingWritten() {
        long b = 0;
        for (Active a : active.values()) b += size(a.file);
        return b;
    }

    private static long size(Path f) {
        try { return Files.size(f); } catch (IOException e) { return 0; }
    }

    static String safe(String s) {
        String t = s.replaceAll("[^A-Za-z0-9_-]", "_");
        return t.isEmpty() ? "meeting" : t;
    }

    /** Stops every recording cleanly (a server shutting down finalises its files). */
    @Override public void close() {
        progress.cancel(false);
        retention.cancel(false);
        for (String id : java.util.List.copyOf(active.keySet())) {
            try { stop(id); } catch (RecorderException ignored) { }
        }
    }
}
