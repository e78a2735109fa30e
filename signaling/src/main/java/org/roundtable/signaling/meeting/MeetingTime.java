package org.roundtable.signaling.meeting;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The time the meeting rules run on: the clock they read (early join, reminders, the memory of ended
 * meetings, join times), the scheduler their timers run on (reminders), and the pool each meeting's
 * serial executor runs its tasks on. Production uses the system clock and real threads; component
 * tests pass a simulated clock whose scheduler runs due tasks only when the test advances it, and
 * whose executor runs tasks at once, so a rule with a 5-minute timer is tested in microseconds.
 * Thread-safe (the parts are).
 */
public record MeetingTime(Clock clock, ScheduledExecutorService timer, Executor work, boolean owned) {
    /** The system clock, one timer thread ("meeting-timer") and a cached pool ("meeting"), shut down with the service. */
    public static MeetingTime system() {
        return new MeetingTime(Clock.systemUTC(),
                Executors.newSingleThreadScheduledExecutor(new io.netty.util.concurrent.DefaultThreadFactory("meeting-timer", true)),
                Executors.newCachedThreadPool(new io.netty.util.concurrent.DefaultThreadFactory("meeting", true)), true);
    }

    /** Time a test drives: nothing here is shut down by the service. */
    public static MeetingTime of(Clock clock, ScheduledExecutorService timer, Executor work) {
        return new MeetingTime(clock, timer, work, false);
    }

    public long millis() { return clock.millis(); }

    void shutdown() {
        if (!owned) return;
        timer.shutdownNow();
        if (work instanceof ExecutorService e) e.shutdownNow();
    }
}
