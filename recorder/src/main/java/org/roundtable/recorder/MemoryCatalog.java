package org.roundtable.recorder;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link RecordingCatalog} in a map. Thread-safe. */
final class MemoryCatalog implements RecordingCatalog {
    private final Map<String, Recording> rows = new ConcurrentHashMap<>();

    @Override public void insert(Recording r) { rows.put(r.id(), r); }
    @Override public void update(Recording r) { rows.put(r.id(), r); }
    @Override public Optional<Recording> find(String id) { return Optional.ofNullable(rows.get(id)); }
    @Override public List<Recording> forMeeting(String meetingId) {
        return rows.values().stream().filter(r -> r.meetingId().equals(meetingId))
                .sorted(java.util.Comparator.comparingLong(Recording::startedMs)).toList();
    }
    @Override public List<Recording> inState(String state) { return rows.values().stream().filter(r -> r.state().equals(state)).toList(); }
    @Override public List<Recording> startedBefore(long ms) { return rows.values().stream().filter(r -> r.startedMs() < ms).toList(); }
    @Override public void delete(String id) { rows.remove(id); }
}
