package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.signaling.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meeting registry and the rules of joining, negotiating and leaving. Every change to a meeting runs
 * on that meeting's serial executor; callers get a CompletableFuture. Media work is handed to the bridge.
 */
public final class MeetingService {
    private static final Logger LOG = LoggerFactory.getLogger(MeetingService.class);
    private static final Pattern MEETING_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final SecureRandom RND = new SecureRandom();

    private final Bridge bridge;
    private final ServerConfig config;
    private final ObjectMapper json = new ObjectMapper();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "meeting");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentHashMap<String, Meeting> meetings = new ConcurrentHashMap<>();

    public MeetingService(Bridge bridge, ServerConfig config) {
        this.bridge = bridge;
        this.config = config;
    }

    public ObjectMapper json() { return json; }
    public int meetingCount() { return meetings.size(); }
    public Meeting find(String id) { return meetings.get(id); }

    public static boolean validMeetingId(String id) { return id != null && MEETING_ID.matcher(id).matches(); }

    private Meeting meetingFor(String id, boolean create) throws SignalingException {
        if (!validMeetingId(id)) throw new SignalingException("bad_meeting_id", 400, "meeting id must be 1-64 letters, digits, '.', '_' or '-'");
        Meeting m = meetings.get(id);
        if (m == null && create && config.openMeetings()) {
            m = meetings.computeIfAbsent(id, k -> new Meeting(k, bridge.conference(k), new SerialExecutor(pool)));
            Meeting mm = m;
            if (mm.conference != null && !listening.contains(mm)) {
                synchronized (listening) {
                    if (listening.add(mm)) mm.conference.addListener(c -> mm.exec.execute(() -> sourcesChanged(mm)));
                }
            }
        }
        if (m == null) throw new SignalingException("not_found", 404, "no such meeting");
        return m;
    }

    private final Set<Meeting> listening = new HashSet<>();

    private <T> T onMeeting(Meeting m, java.util.concurrent.Callable<T> task) throws SignalingException {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return task.call();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, m.exec).join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof SignalingException se) throw se;
            if (c instanceof Sdp.SdpException sd) throw new SignalingException("bad_sdp", 400, sd.getMessage());
            LOG.warn("meeting {} task failed", m.id, c);
            throw new SignalingException("internal", 500, "internal error");
        }
    }

    /** Joins a meeting (creating it in open mode). Returns the participant; for WEB, sends 'joined' is the caller's job. */
    public Participant join(String meetingId, String name, Participant.Kind kind, Participant.Client client, String watches) throws SignalingException {
        String display = name == null ? "" : name.strip();
        if (display.isEmpty()) display = kind == Participant.Kind.WHIP ? "WHIP" : "Guest";
        if (display.length() > 64) throw new SignalingException("bad_name", 400, "display name longer than 64 characters");
        for (int attempt = 0; attempt < 3; attempt++) {
            Meeting m = meetingFor(meetingId, kind != Participant.Kind.WHEP);
            String dn = display;
            Participant p = onMeeting(m, () -> {
                if (m.ended) return null;
                if (m.members().size() >= config.maxParticipants() && kind != Participant.Kind.WHEP)
                    throw new SignalingException("meeting_full", 403, "the meeting is full");
                if (watches != null) {
                    Participant t = m.participants.get(watches);
                    if (t == null || !t.isMember()) throw new SignalingException("not_found", 404, "no such participant in the meeting");
                }
                Participant np = new Participant(newId(), dn, kind, client);
                np.watches = watches;
                np.endpoint = bridge.createEndpoint(m.conference, np.id, np.id, new Endpoint.Listener() {
                    @Override public void onClosed(Endpoint e, String reason) {
                        m.exec.execute(() -> leaveNow(m, np, reason));
                    }
                });
                m.participants.put(np.id, np);
                if (np.isMember()) {
                    ObjectNode ev = event("participantJoined");
                    ev.set("participant", describe(np));
                    broadcast(m, ev, np);
                }
                LOG.info("{} ({}, {}) joined meeting {}", np.id, dn, kind, m.id);
                return np;
            });
            if (p != null) return p;
        }
        throw new SignalingException("internal", 500, "meeting was closing; try again");
    }

    /** The 'joined' payload: own id and the current members. */
    public ObjectNode joinedMessage(String meetingId, Participant self) throws SignalingException {
        Meeting m = meetingFor(meetingId, false);
        return onMeeting(m, () -> {
            ObjectNode j = event("joined");
            j.put("meeting", m.id);
            j.put("participantId", self.id);
            ArrayNode arr = j.putArray("participants");
            for (Participant p : m.members()) if (p != self) arr.add(describe(p));
            int a = 0, v = 0;
            self.announcedTracks.clear();
            for (MediaSource s : m.conference.sources()) {
                if (s.ownerId.equals(self.id)) continue;
                if (s.kind == MediaKind.AUDIO) a++; else v++;
                self.announcedTracks.add(s.id);
            }
            self.wantAudio = a;
            self.wantVideo = v;
            ObjectNode tracks = j.putObject("tracks");
            tracks.put("audio", a);
            tracks.put("video", v);
            return j;
        });
    }

    /** Applies an SDP offer from a participant and returns the answer. */
    public String offer(String meetingId, Participant p, String sdp) throws SignalingException {
        Meeting m = meetingFor(meetingId, false);
        Sdp offer;
        try {
            offer = Sdp.parse(sdp);
        } catch (Sdp.SdpException e) {
            throw new SignalingException("bad_sdp", 400, e.getMessage());
        }
        return onMeeting(m, () -> {
            if (p.left) throw new SignalingException("bad_state", 409, "participant has left");
            Endpoint.SourcePicker picker = picker(p);
            String answer = bridge.call(() -> p.endpoint.negotiate(offer, picker));
            return answer;
        });
    }

    private Endpoint.SourcePicker picker(Participant p) {
        return new Endpoint.SourcePicker() {
            @Override public MediaSource pick(MediaKind kind, Set<MediaSource> taken, Set<String> codecs) {
                if (p.kind == Participant.Kind.WHIP) return null;
                for (MediaSource s : p.endpoint.conference.sources()) {
                    if (s.kind != kind || taken.contains(s) || s.ownerId.equals(p.id)) continue;
                    if (p.watches != null && !s.ownerId.equals(p.watches)) continue;
                    if (!codecs.contains(s.codec.name())) continue;
                    return s;
                }
                return null;
            }
            @Override public boolean keep(MediaSource s) { return p.watches == null || s.ownerId.equals(p.watches); }
        };
    }

    /** Tells a newcomer which tracks exist (a receive-only member publishes nothing, so no source change would). */
    public void announceTracks(String meetingId) {
        Meeting m = meetings.get(meetingId);
        if (m != null) m.exec.execute(() -> sourcesChanged(m));
    }

    /** Self-reported microphone/camera state, shown on tiles. */
    public void setMedia(String meetingId, Participant p, String kind, boolean on) throws SignalingException {
        Meeting m = meetingFor(meetingId, false);
        onMeeting(m, () -> {
            if ("audio".equals(kind)) p.audioOn = on; else p.videoOn = on;
            ObjectNode ev = event("participantUpdated");
            ev.set("participant", describe(p));
            broadcast(m, ev, null);
            return null;
        });
    }

    public void leave(String meetingId, Participant p, String reason) {
        Meeting m = meetings.get(meetingId);
        if (m == null) return;
        m.exec.execute(() -> leaveNow(m, p, reason));
    }

    private void leaveNow(Meeting m, Participant p, String reason) {
        if (p.left) return;
        p.left = true;
        m.participants.remove(p.id);
        bridge.execute(() -> p.endpoint.close(reason));
        LOG.info("{} left meeting {}: {}", p.id, m.id, reason);
        if (p.isMember()) {
            ObjectNode ev = event("participantLeft");
            ev.put("participantId", p.id);
            ev.put("reason", reason);
            broadcast(m, ev, p);
        }
        try { p.client.closed(reason); } catch (RuntimeException ignored) { /* client gone */ }
        // WHEP viewers of someone who left keep their (now idle) session until they end it.
        if (m.participants.isEmpty()) {
            m.ended = true;
            meetings.remove(m.id, m);
            synchronized (listening) { listening.remove(m); }
            bridge.removeConference(m.id);
            LOG.info("meeting {} ended", m.id);
        }
    }

    /** Sources changed in the conference: tell each browser which tracks exist and ask it to renegotiate. */
    private void sourcesChanged(Meeting m) {
        if (m.ended) return;
        List<MediaSource> sources = m.conference.sources();
        for (Participant p : m.participants.values()) {
            if (p.kind != Participant.Kind.WEB || p.left) continue;
            int a = 0, v = 0;
            Set<String> now = new HashSet<>();
            for (MediaSource s : sources) {
                if (s.ownerId.equals(p.id)) continue;
                now.add(s.id);
                if (s.kind == MediaKind.AUDIO) a++; else v++;
                if (!p.announcedTracks.contains(s.id)) {
                    ObjectNode ev = event("trackAdded");
                    ev.put("participantId", s.ownerId);
                    ev.put("kind", s.kind.sdp());
                    ev.put("trackId", s.id);
                    p.client.send(ev);
                }
            }
            for (String old : p.announcedTracks) {
                if (!now.contains(old)) {
                    ObjectNode ev = event("trackRemoved");
                    ev.put("trackId", old);
                    p.client.send(ev);
                }
            }
            boolean changed = !p.announcedTracks.equals(now);
            p.announcedTracks.clear();
            p.announcedTracks.addAll(now);
            if (changed || a != p.wantAudio || v != p.wantVideo) {
                p.wantAudio = a;
                p.wantVideo = v;
                ObjectNode ev = event("renegotiate");
                ev.put("audio", a);
                ev.put("video", v);
                p.client.send(ev);
            }
        }
    }

    private ObjectNode describe(Participant p) {
        ObjectNode o = json.createObjectNode();
        o.put("id", p.id);
        o.put("name", p.name);
        o.put("kind", p.kind.name().toLowerCase());
        o.put("audio", p.audioOn);
        o.put("video", p.videoOn);
        return o;
    }

    public ObjectNode event(String type) {
        ObjectNode o = json.createObjectNode();
        o.put("type", type);
        return o;
    }

    private void broadcast(Meeting m, ObjectNode ev, Participant except) {
        for (Participant p : m.participants.values()) if (p != except && p.kind == Participant.Kind.WEB) p.client.send(ev);
    }

    private static String newId() {
        return Long.toString(RND.nextLong() & Long.MAX_VALUE, 36);
    }

    public void close() { pool.shutdownNow(); }
}
