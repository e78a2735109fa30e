package org.roundtable.signaling.registry;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.meeting.SignalingException;

/**
 * The meeting registry's rules: who may create, read, edit and cancel a meeting and until when; when a
 * meeting may be joined; and the reminders sent before scheduled meetings. Storage is behind
 * {@link MeetingRepository}. Thread-safe.
 */
public final class MeetingRegistry implements AutoCloseable {
    private static final SecureRandom RND = new SecureRandom();
    private static final String ID_CHARS = "abcdefghijkmnpqrstuvwxyz23456789";
    private final MeetingRepository repo;
    private final ServerConfig.Registry cfg;
    private final Clock clock;

    public MeetingRegistry(MeetingRepository repo, ServerConfig.Registry cfg, Clock clock) {
        this.repo = repo;
        this.cfg = cfg;
        this.clock = clock;
    }

    public MeetingRepository repository() { return repo; }
    public long earlyJoinMs() { return cfg.earlyJoinMinutes() * 60_000L; }

    public MeetingRecord create(Identity owner, MeetingSpec s) throws SignalingException {
        long now = clock.millis();
        String type = s.type() == null ? MeetingRecord.INSTANT : s.type();
        if (!type.equals(MeetingRecord.INSTANT) && !type.equals(MeetingRecord.SCHEDULED))
            throw bad("'type' must be instant or scheduled");
        String subject = s.subject() == null || s.subject().isBlank() ? (type.equals(MeetingRecord.INSTANT) ? owner.name() + "'s meeting" : null) : s.subject().strip();
        if (subject == null) throw bad("'subject' is required for a scheduled meeting");
        if (subject.length() > 256) throw bad("'subject' is longer than 256 characters");
        long start;
        Long end;
        if (type.equals(MeetingRecord.INSTANT)) {
            start = now;
            end = s.endMs();
        } else {
            if (s.startMs() == null || s.endMs() == null) throw bad("a scheduled meeting needs 'start' and 'end'");
            start = s.startMs();
            end = s.endMs();
        }
        if (end != null && end <= start) throw bad("'end' must be after 'start'");
        if (end != null && end <= now) throw bad("'end' is in the past");
        List<String> members = members(s.members());
        List<String> hosts = hosts(s.hosts(), members);
        String pw = s.password() == null || s.password().isEmpty() ? null : checkPassword(s.password());
        for (int attempt = 0; ; attempt++) {
            MeetingRecord m = new MeetingRecord(newId(), newNumber(), type, subject, owner.userId(), start, end,
                    pw == null ? null : Passwords.hash(pw), s.av() == null || s.av(), s.liveStream() != null && s.liveStream(),
                    MeetingRecord.ACTIVE, false, members, now, now, hosts);
            try {
                repo.insert(m);
                return m;
            } catch (IllegalStateException e) {
                if (attempt > 5) throw e; // id or number collision: try again with new ones
            }
        }
    }

    /** Edits a meeting: its owner only, and only before its early-join time. */
    public MeetingRecord edit(Identity who, String id, MeetingSpec s) throws SignalingException {
        MeetingRecord m = owned(who, id);
        long now = clock.millis();
        requireEditable(m, now, "edited");
        String subject = s.subject() == null ? m.subject() : s.subject().strip();
        if (subject.isEmpty() || subject.length() > 256) throw bad("'subject' must be 1-256 characters");
        long start = s.startMs() == null ? m.startMs() : s.startMs();
        Long end = s.endMs() == null ? m.endMs() : s.endMs();
        if (m.kind().equals(MeetingRecord.INSTANT) && s.startMs() != null) throw bad("an instant meeting's start cannot change");
        if (end != null && end <= start) throw bad("'end' must be after 'start'");
        String hash = m.passwordHash();
        if (s.password() != null) hash = s.password().isEmpty() ? null : Passwords.hash(checkPassword(s.password()));
        List<String> members = s.members() == null ? m.members() : members(s.members());
        List<String> hosts = s.hosts() == null ? hosts(m.hosts().stream().filter(members::contains).toList(), members) : hosts(s.hosts(), members);
        MeetingRecord n = new MeetingRecord(m.id(), m.number(), m.kind(), subject, m.ownerId(), start, end, hash,
                s.av() == null ? m.avEnabled() : s.av(), s.liveStream() == null ? m.liveStream() : s.liveStream(), m.status(),
                start == m.startMs() && m.reminded(), members, m.createdMs(), now, hosts);
        repo.update(n);
        return n;
    }

    public MeetingRecord cancel(Identity who, String id) throws SignalingException {
        MeetingRecord m = owned(who, id);
        long now = clock.millis();
        requireEditable(m, now, "cancelled");
        MeetingRecord n = m.withStatus(MeetingRecord.CANCELLED, now);
        repo.update(n);
        return n;
    }

    public List<MeetingRecord> list(Identity who) { return repo.forUser(who.userId(), 500); }

    /** A meeting its owner or an invitee may see; anyone else gets "not found". */
    public MeetingRecord visible(Identity who, String id) throws SignalingException {
        Optional<MeetingRecord> m = repo.find(id);
        if (m.isEmpty() || !m.get().invited(who.userId())) throw new SignalingException("not_found", 404, "no such meeting");
        return m.get();
    }

    public Optional<MeetingRecord> find(String idOrNumber) { return repo.find(idOrNumber); }

    public void markEnded(String id) {
        repo.find(id).ifPresent(m -> { if (!m.status().equals(MeetingRecord.ENDED)) repo.update(m.withStatus(MeetingRecord.ENDED, clock.millis())); });
    }

    /**
     * Why this meeting cannot be joined now, or null if it can. Only for callers who proved access
     * (invitee or password), so the reason may be specific.
     */
    public SignalingException notJoinable(MeetingRecord m) {
        long now = clock.millis();
        if (m.status().equals(MeetingRecord.CANCELLED)) return new SignalingException("meeting_cancelled", 410, "the meeting was cancelled");
        if (m.status().equals(MeetingRecord.ENDED) || (m.endMs() != null && now > m.endMs()))
            return new SignalingException("meeting_ended", 410, "the meeting has ended");
        if (!m.avEnabled()) return new SignalingException("no_media", 409, "this is a room booking without audio or video");
        long opens = m.startMs() - earlyJoinMs();
        if (m.kind().equals(MeetingRecord.SCHEDULED) && now < opens)
            return new SignalingException("too_early", 425, "the meeting opens at " + Instant.ofEpochMilli(opens) + " (" + cfg.earlyJoinMinutes()
                    + " minutes before it starts at " + Instant.ofEpochMilli(m.startMs()) + ")");
        return null;
    }

    /** Sends reminders for meetings starting within reminder-minutes; call every few seconds. */
    public void remind(BiConsumer<MeetingRecord, List<String>> send) {
        long now = clock.millis();
        for (MeetingRecord m : repo.dueForReminder(now, now + cfg.reminderMinutes() * 60_000L)) {
            repo.markReminded(m.id());
            List<String> who = new ArrayList<>();
            who.add(m.ownerId());
            for (String u : m.members()) if (!who.contains(u)) who.add(u);
            send.accept(m, who);
        }
    }

    private MeetingRecord owned(Identity who, String id) throws SignalingException {
        MeetingRecord m = visible(who, id);
        if (!m.ownerId().equals(who.userId())) throw new SignalingException("forbidden", 403, "only the meeting's creator can change it");
        return m;
    }

    private void requireEditable(MeetingRecord m, long now, String what) throws SignalingException {
        if (!m.status().equals(MeetingRecord.ACTIVE)) throw new SignalingException("bad_state", 409, "the meeting is already " + m.status());
        if (now >= m.startMs() - earlyJoinMs())
            throw new SignalingException("too_late", 409, "a meeting can only be " + what + " until its early-join time ("
                    + Instant.ofEpochMilli(m.startMs() - earlyJoinMs()) + ")");
    }

    /** Co-hosts: invitees only (a host who was not invited would be a way around the invitation). */
    private static List<String> hosts(List<String> in, List<String> members) throws SignalingException {
        if (in == null) return List.of();
        LinkedHashSet<String> s = new LinkedHashSet<>();
        for (String u : in) {
            if (u == null || !members.contains(u)) throw bad("every host must also be in 'members'");
            s.add(u);
        }
        return List.copyOf(s);
    }

    private static List<String> members(List<String> in) throws SignalingException {
        if (in == null) return List.of();
        if (in.size() > 500) throw bad("at most 500 members");
        LinkedHashSet<String> s = new LinkedHashSet<>();
        for (String u : in) {
            if (u == null || u.isBlank() || u.length() > 128) throw bad("member ids must be 1-128 characters");
            s.add(u);
        }
        return List.copyOf(s);
    }

    private static String checkPassword(String p) throws SignalingException {
        if (p.length() < 6 || p.length() > 64) throw bad("a meeting password must be 6-64 characters");
        return p;
    }

    private static SignalingException bad(String m) { return new SignalingException("bad_request", 400, m); }

    private static String newId() {
        StringBuilder sb = new StringBuilder(10);
        for (int i = 0; i < 10; i++) sb.append(ID_CHARS.charAt(RND.nextInt(ID_CHARS.length())));
        return sb.toString();
    }

    /** 9-digit meeting numbers, for dialling in, never starting with 0. */
    private static String newNumber() { return Integer.toString(100_000_000 + RND.nextInt(900_000_000)); }

    @Override public void close() { repo.close(); }
}
