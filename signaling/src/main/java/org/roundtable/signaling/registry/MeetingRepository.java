package org.roundtable.signaling.registry;

import java.util.List;
import java.util.Optional;

/** Where meetings are kept: an embedded H2 file by default, PostgreSQL in production. Thread-safe. */
public interface MeetingRepository extends AutoCloseable {
    /** Inserts a new meeting; fails with IllegalStateException if its id or number is taken. */
    void insert(MeetingRecord m);

    /** Replaces a meeting's fields (not its id or number). */
    void update(MeetingRecord m);

    /** By id or by meeting number. */
    Optional<MeetingRecord> find(String idOrNumber);

    /** Meetings the user owns or is invited to, newest start first. */
    List<MeetingRecord> forUser(String userId, int limit);

    /** Active scheduled meetings with A/V, not yet reminded, starting in (now, until]. */
    List<MeetingRecord> dueForReminder(long nowMs, long untilMs);

    void markReminded(String id);

    @Override void close();
}
