package org.roundtable.bridge.metrics;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Netty's leak detector, counting what it finds: every buffer that was garbage-collected without being
 * released is counted ({@link #count()}, exported as {@code roundtable_buffer_leaks_total}) and, when the
 * system property {@code roundtable.leaks.file} names a file, appended there with its access records.
 * Netty uses it when started with {@code -Dio.netty.customResourceLeakDetector=} this class; the tests run
 * it at the paranoid level (every buffer tracked) and {@code ops/test.sh} fails when a file was written.
 * At exit, a collection is forced and one tracked buffer allocated, so leaks of the last moments are
 * reported too. Production runs with detection off (its stack traces cost CPU on the send path); an
 * operator chasing a leak turns it on with {@code -Dio.netty.leakDetection.level=simple}.
 * Thread: any (Netty reports on the allocating thread).
 */
public final class LeakReports<T> extends ResourceLeakDetector<T> {
    private static final AtomicLong LEAKS = new AtomicLong();
    private static final String FILE = System.getProperty("roundtable.leaks.file", "");
    private static volatile boolean hooked;

    public LeakReports(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        hookExit();
    }

    public LeakReports(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    /** Leaks reported since start. */
    public static long count() { return LEAKS.get(); }

    @Override protected void reportTracedLeak(String resourceType, String records) {
        record("LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override protected void reportUntracedLeak(String resourceType) {
        record("LEAK: " + resourceType + ".release() was not called before it was garbage-collected (no records).");
        super.reportUntracedLeak(resourceType);
    }

    private static void record(String text) {
        LEAKS.incrementAndGet();
        if (FILE.isEmpty()) return;
        try {
            Files.writeString(Path.of(FILE), text + System.lineSeparator() + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the count and Netty's own log line remain
        }
    }

    private static synchronized void hookExit() {
        if (hooked || FILE.isEmpty()) return;
        hooked = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (int i = 0; i < 3; i++) {
                System.gc();
                try { Thread.sleep(50); } catch (InterruptedException e) { return; }
                // a tracked allocation polls the detector's queue of collected, unreleased buffers
                ByteBufAllocator.DEFAULT.buffer(1).release();
                ByteBufAllocator.DEFAULT.heapBuffer(1).release();
            }
        }, "leak-report"));
    }
}
