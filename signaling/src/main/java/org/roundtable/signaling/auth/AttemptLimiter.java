package org.roundtable.signaling.auth;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed password and token attempts per source address and per meeting key. Too many failures
 * in the window lock that source (or meeting key) out for a while. Keys are the strings callers sent,
 * whether or not such a meeting exists, so a lockout reveals nothing. Thread-safe.
 */
public final class AttemptLimiter {
    private final Clock clock;
    private final int perSource, perMeeting;
    private final long windowMs, lockoutMs;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        final ArrayDeque<Long> failures = new ArrayDeque<>();
        long lockedUntil;
    }

    public AttemptLimiter(Clock clock, int perSource, int perMeeting, long windowMs, long lockoutMs) {
        this.clock = clock;
        this.perSource = perSource;
        this.perMeeting = perMeeting;
        this.windowMs = windowMs;
        this.lockoutMs = lockoutMs;
    }

    /** Milliseconds until this source or meeting may try again; 0 if it may now. */
    public long retryAfterMs(String source, String meetingKey) {
        long now = clock.millis();
        long a = lockedFor("s:" + source, now), b = meetingKey == null ? 0 : lockedFor("m:" + meetingKey, now);
        return Math.max(a, b);
    }

    private long lockedFor(String key, long now) {
        Entry e = entries.get(key);
        if (e == null) return 0;
        synchronized (e) { return Math.max(0, e.lockedUntil - now); }
    }

    /** Records a failure; returns true if it locked the source or meeting out. */
    public boolean failure(String source, String meetingKey) {
        long now = clock.millis();
        boolean locked = record("s:" + source, perSource, now);
        if (meetingKey != null) locked |= record("m:" + meetingKey, perMeeting, now);
        if (entries.size() > 100_000) sweep(now);
        return locked;
    }

    private boolean record(String key, int limit, long now) {
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        synchronized (e) {
            while (!e.failures.isEmpty() && now - e.failures.peekFirst() > windowMs) e.failures.pollFirst();
            e.failures.addLast(now);
            if (e.failures.size() >= limit) {
                e.lockedUntil = now + lockoutMs;
                e.failures.clear();
                return true;
            }
            return false;
        }
    }

    private void sweep(long now) {
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext();) {
            Entry e = it.next().getValue();
            synchronized (e) {
                if (e.lockedUntil < now && (e.failures.isEmpty() || now - e.failures.peekLast() > windowMs)) it.remove();
            }
        }
    }
}
