package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.signaling.auth.AttemptLimiter;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.auth.Jwt;
import org.roundtable.signaling.meeting.MeetingService.JoinRequest;
import org.roundtable.signaling.meeting.Participant.Role;
import org.roundtable.signaling.registry.MeetingRecord;
import org.roundtable.signaling.registry.MeetingRegistry;
import org.roundtable.signaling.registry.Passwords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may join a meeting and how a newcomer becomes a member: the access checks (a token, the registry's
 * owner, invitees and password, the schedule, open mode; failures counted against the source and the
 * meeting key), the admission rules ({@link Admission}: the lobby of a locked meeting, the size limit,
 * removed members), entering (the role, the media endpoint, the announcement to everyone) and the
 * newcomer's 'joined' or 'lobby' message. Part of {@link MeetingService}, which keeps the public entry
 * points. Thread: the callers' (HTTP, WebSocket, SIP) for the access checks, then the meeting's serial
 * executor for everything that reads or changes the meeting.
 */
final class MeetingEntry {
    private static final Logger LOG = LoggerFactory.getLogger(MeetingEntry.class);

    private final MeetingService s;
    private final Bridge bridge;
    private final MeetingRegistry registry;
    private final Jwt jwt;
    private final AttemptLimiter limiter;
    private final MeetingTime time;

    MeetingEntry(MeetingService s, Bridge bridge, MeetingRegistry registry, Jwt jwt, AttemptLimiter limiter, MeetingTime time) {
        this.s = s;
        this.bridge = bridge;
        this.registry = registry;
        this.jwt = jwt;
        this.limiter = limiter;
        this.time = time;
    }

    private static SignalingException denied() {
        return new SignalingException("denied", 403, "no meeting with that id or number, or a wrong password");
    }

    /** Verifies a token, counting a failure against the source; null token gives null. */
    Identity authenticate(String token, String source, String meetingKey) throws SignalingException {
        if (token == null) return null;
        long retry = limiter.retryAfterMs(source, meetingKey);
        if (retry > 0) throw rateLimited(retry);
        try {
            return jwt.verify(token);
        } catch (Jwt.InvalidToken e) {
            limiter.failure(source, meetingKey);
            throw new SignalingException("bad_token", 401, "invalid token: " + e.getMessage());
        }
    }

    private static SignalingException rateLimited(long retryMs) {
        return new SignalingException("rate_limited", 429, "too many failed attempts; try again in " + ((retryMs + 999) / 1000) + " s");
    }

    /**
     * Joins by meeting id or number with the caller's proof of access. Registry meetings admit their
     * owner (as host) and invitees with a token, anyone else with the password; their schedule and
     * state are enforced. Other ids exist only in open development mode. Failures count against the
     * source address and the meeting key, and an unauthenticated caller cannot tell a missing meeting
     * from a wrong password.
     */
    Participant join(JoinRequest r, Participant.Kind kind, Participant.Client client, String watches) throws SignalingException {
        String key = r.meetingKey();
        if (!MeetingService.validMeetingId(key)) throw new SignalingException("bad_meeting_id", 400, "meeting id must be 1-64 letters, digits, '.', '_' or '-'");
        // A valid token is checked before the meeting's failure counter: strangers guessing passwords must not
        // lock the owner and invitees out (their source's own counter still applies).
        Identity who = null;
        if (r.token() != null) {
            long retry = limiter.retryAfterMs(r.source(), null);
            if (retry > 0) throw rateLimited(retry);
            try {
                who = jwt.verify(r.token());
            } catch (Jwt.InvalidToken e) {
                limiter.failure(r.source(), key);
                throw new SignalingException("bad_token", 401, "invalid token: " + e.getMessage());
            }
        }
        MeetingRecord rec = registry.find(key).orElse(null);
        boolean invited = rec != null && who != null && rec.invited(who.userId());
        if (!invited) {
            long retry = limiter.retryAfterMs(r.source(), key);
            if (retry > 0) throw rateLimited(retry);
        }
        String meetingId = key;
        boolean owner = false;
        if (rec != null) {
            if (!invited) {
                boolean ok = rec.passwordHash() != null ? Passwords.matches(r.password(), rec.passwordHash()) : who != null;
                if (!ok) {
                    limiter.failure(r.source(), key);
                    throw denied();
                }
            }
            SignalingException why = registry.notJoinable(rec);
            if (why != null) throw why;
            meetingId = rec.id();
            // the owner and the invitees the owner marked as hosts join as hosts
            owner = who != null && rec.hostedBy(who.userId());
        } else if (!s.config.openMeetings()) {
            limiter.failure(r.source(), key);
            throw denied();
        }
        if (who != null && client != null && kind == Participant.Kind.WEB) s.registerSession(who.userId(), client);
        String name = who != null ? who.name() : r.name();
        Participant p = join(meetingId, name, kind, client, watches, rec != null, owner, who, r.source());
        return p;
    }

    Participant join(String meetingId, String name, Participant.Kind kind, Participant.Client client, String watches,
                             boolean inRegistry, boolean owner, Identity who, String source) throws SignalingException {
        String display = name == null ? "" : name.strip();
        if (display.isEmpty()) display = kind == Participant.Kind.WHIP ? "WHIP" : "Guest";
        if (display.length() > 64) throw new SignalingException("bad_name", 400, "display name longer than 64 characters");
        for (int attempt = 0; attempt < 3; attempt++) {
            Meeting m = s.meetingFor(meetingId, kind != Participant.Kind.WHEP, inRegistry);
            String dn = display;
            Participant p = s.onMeeting(m, () -> {
                if (m.ended) return null;
                boolean removed = (who != null && m.removed.contains("user:" + who.userId()))
                        || (kind == Participant.Kind.WHEP && source != null && m.removed.contains("src:" + source));
                Admission.Decision d = Admission.decide(new Admission.Caller(kind, who, owner, removed),
                        new Admission.Room(m.registry, m.locked, m.participants.size(), s.config.maxParticipants(), m.hasHost()));
                if (d.outcome() == Admission.Outcome.REFUSE) throw d.error();
                if (watches != null) {
                    Participant t = m.participants.get(watches);
                    if (t == null || !t.isMember() || t.inLobby) throw new SignalingException("not_found", 404, "no such participant in the meeting");
                }
                Participant np = new Participant(MeetingService.newId(), dn, kind, client, time.millis());
                np.watches = watches;
                np.owner = owner;
                np.identity = who;
                np.source = source;
                np.meetingId = m.id;
                m.participants.put(np.id, np);
                if (d.outcome() == Admission.Outcome.LOBBY) {
                    np.inLobby = true;
                    ObjectNode ev = s.event("lobbyJoined");
                    ev.set("participant", s.events.describe(m, np));
                    s.events.toHosts(m, ev);
                    LOG.info("{} ({}) waits in the lobby of meeting {}", np.id, dn, m.id);
                    return np;
                }
                enter(m, np);
                return np;
            });
            if (p != null) return p;
        }
        throw new SignalingException("internal", 500, "meeting was closing; try again");
    }

    /** Makes np a member with media: role, endpoint, announcement. On exec. */
    void enter(Meeting m, Participant np) {
        np.inLobby = false;
        np.role = Admission.roleOnEntry(np.asCaller(false), new Admission.Room(m.registry, m.locked, m.participants.size(), s.config.maxParticipants(), m.hasHost()));
        if (np.kind != Participant.Kind.SIP) {
            np.endpoint = bridge.createEndpoint(m.conference, np.id, np.id, new Endpoint.Listener() {
                @Override public void onClosed(Endpoint e, String reason) {
                    m.exec.execute(() -> s.leaveNow(m, np, reason, null));
                }
                @Override public void onRenegotiationNeeded(Endpoint e) {
                    m.exec.execute(() -> s.media.askToRenegotiate(np));
                }
            });
        }
        // everyone sees members and watch-only viewers (hosts can remove a viewer)
        ObjectNode joinedEv = s.event("participantJoined");
        joinedEv.set("participant", s.events.describe(m, np));
        s.events.broadcast(m, joinedEv, np);
        s.outputs.compositions().roster(m);
        LOG.info("{} ({}, {}, {}) joined meeting {}", np.id, np.name, np.kind, np.role.wire(), m.id);
        s.outputs.entered(m);
    }

    ObjectNode joinedPayload(Meeting m, Participant self) {
        if (self.inLobby) {
            ObjectNode l = s.event("lobby");
            l.put("meeting", m.id);
            l.put("participantId", self.id);
            return l;
        }
        ObjectNode j = s.event("joined");
        j.put("meeting", m.id);
        j.put("participantId", self.id);
        j.put("role", self.role.wire());
        ArrayNode arr = j.putArray("participants");
        for (Participant p : m.members()) if (p != self) arr.add(s.events.describe(m, p));
        ArrayNode members = j.putArray("members");
        for (Participant p : m.members()) members.add(s.events.describe(m, p));
        for (Participant p : m.viewers()) members.add(s.events.describe(m, p));
        if (self.role == Role.HOST) for (Participant p : m.lobby()) members.add(s.events.describe(m, p));
        j.put("locked", m.locked);
        j.put("recording", m.recording != null);
        if (m.live != null) MeetingLive.links(m.live, j.putObject("live"));
        j.put("allowSelfUnmute", m.allowSelfUnmute);
        int a = 0, v = 0;
        self.announcedTracks.clear();
        self.announcedSources.clear();
        for (MediaSource src : m.conference.sources()) {
            if (src.ownerId.equals(self.id)) continue;
            if (src.kind == MediaKind.AUDIO) a++; else v++;
            self.announcedTracks.add(src.id);
            self.announcedSources.add(src);
        }
        self.wantAudio = a;
        self.wantVideo = v;
        ObjectNode tracks = j.putObject("tracks");
        tracks.put("audio", a);
        tracks.put("video", v);
        return j;
    }
}
