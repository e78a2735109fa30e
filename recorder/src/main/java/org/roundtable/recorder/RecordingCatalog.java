package org.roundtable.recorder;

import java.util.List;
import java.util.Optional;

/** Where the rows of recorded files live (the registry database in the server; a map in tests). Thread-safe. */
public interface RecordingCatalog {
    void insert(Recording r);

    /** Records the end of a file: its state (complete, interrupted, failed), duration, size and why. */
    void update(Recording r);

    Optional<Recording> find(String id);

    List<Recording> forMeeting(String meetingId);

    /** Rows still in state recording: at start-up, what a crash left behind. */
    List<Recording> inState(String state);

    /** Rows of files started before the given time (retention). */
    List<Recording> startedBefore(long ms);

    void delete(String id);

    /** In memory: tests and servers without a database. */
    static RecordingCatalog inMemory() { return new MemoryCatalog(); }
}
