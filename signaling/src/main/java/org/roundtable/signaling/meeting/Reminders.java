package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.roundtable.signaling.registry.MeetingRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meeting reminders: connected signalling sessions by user, and a 'reminder' event to each invitee's
 * sessions when the registry says a meeting is about to start. Thread: register/unregister any; the
 * check runs on its own timer thread every 2 s ({@link #check} can be called directly by tests).
 */
final class Reminders implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reminders.class);
    private final MeetingRegistry registry;
    private final MeetingEvents events;
    private final Clock clock;
    private final Map<String, Set<Participant.Client>> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private java.util.concurrent.ScheduledFuture<?> task;

    /** timer: where the check runs every 2 s (shared with the service; not shut down here). */
    Reminders(MeetingRegistry registry, MeetingEvents events, Clock clock, ScheduledExecutorService timer) {
        this.timer = timer;
        this.registry = registry;
        this.events = events;
        this.clock = clock;
    }

    Reminders start() {
        task = timer.scheduleWithFixedDelay(this::check, 1, 2, TimeUnit.SECONDS);
        return this;
    }

    void register(String userId, Participant.Client client) {
        sessions.computeIfAbsent(userId, k -> ConcurrentHashMap.newKeySet()).add(client);
    }

    void unregister(String userId, Participant.Client client) {
        if (userId == null) return;
        Set<Participant.Client> s = sessions.get(userId);
        if (s != null) { s.remove(client); if (s.isEmpty()) sessions.remove(userId, s); }
    }

    void check() {
        try {
            registry.remind((m, users) -> {
                ObjectNode ev = events.event("reminder");
                ObjectNode mm = ev.putObject("meeting");
                mm.put("id", m.id());
                mm.put("number", m.number());
                mm.put("subject", m.subject());
                mm.put("start", java.time.Instant.ofEpochMilli(m.startMs()).toString());
                ev.put("startsInSeconds", Math.max(0, (m.startMs() - clock.millis()) / 1000));
                for (String u : users) for (Participant.Client c : sessions.getOrDefault(u, Set.of())) c.send(ev);
            });
        } catch (RuntimeException e) {
            LOG.warn("reminders failed: {}", e.toString());
        }
    }

    @Override public void close() { if (task != null) task.cancel(false); }
}
