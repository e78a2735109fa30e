package org.roundtable.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files, rows and their states: clean stop, a writer that fails, a crash, the disk nearly full, retention. */
class RecordingServiceTest {
    @TempDir Path dir;
    final AtomicLong now = new AtomicLong(1_900_000_000_000L);
    final Clock clock = new Clock() {
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId z) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(now.get()); }
    };
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final RecordingCatalog catalog = RecordingCatalog.inMemory();

    @AfterEach void stop() { timer.shutdownNow(); }

    /** Writes n bytes at start; stop() writes n more; records what it was asked. */
    static final class FakeSource implements RecordingService.Source {
        final int n;
        Consumer<String> failure;
        Path file;
        boolean stopped;
        FakeSource(int n) { this.n = n; }
        @Override public RecordingService.Job start(Path f, Consumer<String> onFailure) throws Exception {
            this.file = f;
            this.failure = onFailure;
            OutputStream o = Files.newOutputStream(f);
            o.write(new byte[n]);
            return new RecordingService.Job() {
                @Override public void stop() throws Exception { o.write(new byte[n]); o.close(); stopped = true; }
                @Override public long durationMs() { return 4_000; }
            };
        }
    }

    RecordingService service(long minFree, int days) {
        return new RecordingService(new RecordingService.Config(dir, minFree, days), catalog, clock, timer);
    }

    @Test void aCleanStopCompletesTheRowWithTheFilesSize() throws Exception {
        RecordingService s = service(0, 0);
        FakeSource src = new FakeSource(1000);
        Recording r = s.start("m1", "880001", "ann", "Ann", "composed", src);
        assertEquals(Recording.RECORDING, catalog.find(r.id()).get().state(), "the row exists before the file is finished");
        assertTrue(r.file().startsWith("880001/880001-20300317-"), "one folder per meeting, named by number and start time: " + r.file());
        assertTrue(r.file().endsWith(".mp4"));
        now.addAndGet(4_000);
        Recording done = s.stop(r.id());
        assertTrue(src.stopped);
        assertEquals(Recording.COMPLETE, done.state());
        assertEquals(2000, done.bytes());
        assertEquals(4000, done.durationMs());
        assertEquals(now.get(), done.stoppedMs());
        assertEquals(done, catalog.find(r.id()).get());
        assertEquals("not_recording", assertThrows(RecordingService.RecorderException.class, () -> s.stop(r.id())).code);
        assertEquals(List.of(done), s.files("m1"));
    }

    @Test void aWriterThatGivesUpLeavesAFailedRowWithItsReasonAndTheFile() throws Exception {
        RecordingService s = service(0, 0);
        List<String> told = new ArrayList<>();
        s.onFailure((r, why) -> told.add(r.meetingId() + ": " + why));
        FakeSource src = new FakeSource(500);
        Recording r = s.start("m2", null, "ann", "Ann", "composed", src);
        src.failure.accept("No space left on device");
        Recording row = catalog.find(r.id()).get();
        assertEquals(Recording.FAILED, row.state());
        assertEquals("No space left on device", row.reason());
        assertEquals(1000, row.bytes(), "what was written is kept (and finalised)");
        assertEquals(List.of("m2: No space left on device"), told);
        assertFalse(s.recording(r.id()));
        assertTrue(r.file().startsWith("m2/"), "without a number the folder is the meeting id");
    }

    @Test void rowsACrashLeftRecordingAreMarkedInterruptedAndTheFilesKept() throws Exception {
        RecordingService before = service(0, 0);
        Recording r = before.start("m3", "880003", "ann", "Ann", "composed", new FakeSource(700));
        // the process dies: no stop(); a new server starts on the same database and directory
        RecordingService after = service(0, 0);
        Recording row = catalog.find(r.id()).get();
        assertEquals(Recording.INTERRUPTED, row.state());
        assertEquals(700, row.bytes());
        assertTrue(Files.exists(dir.resolve(r.file())), "the file stays");
        assertEquals(1, after.counts()[3]);
    }

    @Test void noRecordingStartsOnANearlyFullDisk() {
        RecordingService s = service(Long.MAX_VALUE, 0);
        RecordingService.RecorderException e = assertThrows(RecordingService.RecorderException.class,
                () -> s.start("m4", null, "ann", "Ann", "composed", new FakeSource(1)));
        assertEquals("disk_full", e.code);
        assertTrue(s.files("m4").isEmpty(), "no row for a recording that never started");
    }

    @Test void retentionDeletesOldFilesAndTheirRowsButNotRecentOnesOrOnesBeingWritten() throws Exception {
        RecordingService s = service(0, 30);
        Recording old = s.start("m5", "880005", "ann", "Ann", "composed", new FakeSource(10));
        s.stop(old.id());
        now.addAndGet(20 * 86_400_000L);
        Recording recent = s.start("m5", "880005", "ann", "Ann", "composed", new FakeSource(10));
        s.stop(recent.id());
        Recording live = s.start("m6", "880006", "ann", "Ann", "composed", new FakeSource(10));
        now.addAndGet(11 * 86_400_000L);
        assertEquals(1, s.sweep());
        assertFalse(Files.exists(dir.resolve(old.file())));
        assertTrue(catalog.find(old.id()).isEmpty());
        assertTrue(Files.exists(dir.resolve(recent.file())));
        now.addAndGet(40 * 86_400_000L);
        assertEquals(1, s.sweep(), "the recent one goes in its turn; the one being written stays");
        assertTrue(s.recording(live.id()));
    }

    @Test void aMeetingIdCannotLeaveTheRecordingsDirectory() throws Exception {
        RecordingService s = service(0, 0);
        Recording r = s.start("..", null, "ann", "Ann", "audio", new FakeSource(1));
        assertEquals("__", r.file().substring(0, r.file().indexOf('/')));
        assertTrue(r.file().endsWith(".m4a"));
        assertTrue(s.fileOf(r).startsWith(dir));
    }
}
