package org.roundtable.streaming.rtmp;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The clock and the back-off wait of a push, injectable so its retry schedule is tested on fake time.
 * Any thread.
 */
interface Timing {
    long nanos();

    Instant now();

    /** Waits {@code nanos}, returning early once {@code wake} is counted down (the push was closed). */
    void sleep(long nanos, CountDownLatch wake) throws InterruptedException;

    Timing SYSTEM = new Timing() {
        @Override public long nanos() { return System.nanoTime(); }
        @Override public Instant now() { return Instant.now(); }
        @Override public void sleep(long nanos, CountDownLatch wake) throws InterruptedException { wake.await(nanos, TimeUnit.NANOSECONDS); }
    };
}
