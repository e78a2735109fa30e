package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.auth.AttemptLimiter;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.auth.Jwt;
import org.roundtable.signaling.meeting.Participant.Role;
import org.roundtable.signaling.registry.MeetingRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meetings and their rules: joining (and the lobby), negotiating, roles and host controls, content
 * sharing, the active speaker, leaving and ending. Every rule is checked here, on the server, so a
 * modified client cannot get around it; media rules are enforced in the bridge (paused sources, no
 * endpoint for lobby members). Every change to a meeting runs on that meeting's serial executor.
 * This class keeps the meetings, host controls and leaving; its parts do the rest by job:
 * {@link MeetingEntry} (who may join, the lobby, entering), {@link MeetingMedia} (offers, own toggles, sharing, sources and speakers told to the browsers),
 * {@link MeetingOutputs} (the recording and the live stream), {@link MeetingPhones} (phone callers
 * joining), {@link HostControls} (what each control does), {@link PhoneMedia} (the phones' media).
 */
public final class MeetingService {
    private static final Logger LOG = LoggerFactory.getLogger(MeetingService.class);
    private static final Pattern MEETING_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final SecureRandom RND = new SecureRandom();
    private static final long ENDED_MEMORY_MS = 10 * 60_000;

    private final Bridge bridge;
    final ServerConfig config;
    private final ObjectMapper json = new ObjectMapper();
    final MeetingEvents events = new MeetingEvents(json);
    private final MeetingTime time;
    private final ConcurrentHashMap<String, Meeting> meetings = new ConcurrentHashMap<>();
    /** Meetings a host ended: joining them is refused for a while (open mode has no registry to say so). */
    private final Map<String, Long> endedAt = new ConcurrentHashMap<>();

    private final MeetingRegistry registry;
    private final Jwt jwt;
    private final AttemptLimiter limiter;
    private final Reminders reminders;
    final PhoneMedia phones;
    /** The host controls' effects (control() checks who may, and on what). */
    private final HostControls hostControls = new HostControls(this);
    /** Members' media: offers, own toggles, sharing, what the browsers are told of sources and speakers. */
    final MeetingMedia media;
    /** The recording and the live stream. */
    final MeetingOutputs outputs;
    /** How phone callers become members. */
    private final MeetingPhones phoneEntry;
    /** Who may join, the lobby, and entering. */
    private final MeetingEntry entry;

    public MeetingService(Bridge bridge, ServerConfig config, MeetingRegistry registry, Jwt jwt, AttemptLimiter limiter) {
        this(bridge, config, registry, jwt, limiter, MeetingTime.system());
    }

    /** time: the clock, timers and task pool the rules run on (component tests simulate it). */
    public MeetingService(Bridge bridge, ServerConfig config, MeetingRegistry registry, Jwt jwt, AttemptLimiter limiter, MeetingTime time) {
        this.time = time;
        this.bridge = bridge;
        this.config = config;
        this.registry = registry;
        this.jwt = jwt;
        this.limiter = limiter;
        this.reminders = new Reminders(registry, events, time.clock(), time.timer()).start();
        this.phones = new PhoneMedia(this, bridge, meetings.values());
        this.media = new MeetingMedia(this, bridge);
        this.outputs = new MeetingOutputs(this, bridge, registry, time);
        this.phoneEntry = new MeetingPhones(this, bridge);
        this.entry = new MeetingEntry(this, bridge, registry, jwt, limiter, time);
    }

    public MeetingRegistry registry() { return registry; }

    /** Registers the meeting-level metrics: members by kind and the audio mixers' work. */
    private final java.util.concurrent.atomic.LongAdder wsRefused = new java.util.concurrent.atomic.LongAdder();

    /** A WebSocket message refused for the sender's rate (counted in roundtable_ws_messages_refused_total). Any thread. */
    public void wsMessageRefused() { wsRefused.increment(); }

    public void registerMetrics(io.prometheus.metrics.model.registry.PrometheusRegistry r) {
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("roundtable_ws_messages_refused")
                .help("WebSocket messages refused because their client sent too many").callback(cb -> cb.call(wsRefused.sum())).register(r);
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("roundtable_participants").help("Members in meetings, by kind (lobby included)")
                .labelNames("kind").callback(cb -> {
                    java.util.Map<String, Integer> n = new java.util.HashMap<>();
                    for (Participant.Kind k : Participant.Kind.values()) n.put(k.name().toLowerCase(), 0);
                    for (Meeting m : meetings.values()) for (Participant p : java.util.List.copyOf(m.participants.values()))
                        n.merge(p.kind.name().toLowerCase(), 1, Integer::sum);
                    n.forEach((k, v) -> cb.call(v, k));
                }).register(r);
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("roundtable_composition_frames")
                .help("Output frames of recording compositions: drawn, or skipped because the composition thread fell behind")
                .labelNames("result").callback(cb -> {
                    long[] t = outputs.compositions().ticks(meetings.values());
                    cb.call(t[0], "drawn");
                    cb.call(t[1], "skipped");
                }).register(r);
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("roundtable_mixer_work").help("Audio mixer work since start: ticks, decodes, encodes")
                .labelNames("op").callback(cb -> {
                    long[] t = phones.mixerTotals();
                    cb.call(t[0], "tick");
                    cb.call(t[1], "decode");
                    cb.call(t[2], "encode");
                }).register(r);
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("roundtable_mixer_input_losses")
                .help("What the mixer's inputs lost: packets too late for their frame, frames concealed (lost), packets dropped (mixer behind or oversized)")
                .labelNames("reason").callback(cb -> {
                    long[] t = phones.mixerTotals();
                    cb.call(t[3], "late");
                    cb.call(t[4], "concealed");
                    cb.call(t[5], "dropped");
                }).register(r);
    }

    /** A phone member: where its leg listens, and whether it waits in the lobby. */
    public record PhoneMember(Participant participant, int rtpPort, boolean inLobby) {}

    /** What a phone in the lobby needs once admitted. */
    record PendingPhone(org.roundtable.mixer.AudioCodec.Kind codec, int pt, int eventPt, org.roundtable.bridge.transport.PlainRtpLeg leg,
                        Runnable onAdmitted) {}

    /** Who can dial out for a meeting (the SIP gateway, when there is one). */
    public interface Dialer {
        void dial(String meetingId, String target) throws Exception;
        /** Calls target for an existing member whose voice the phone will carry (call me back). */
        void callBack(String meetingId, String participantId, String target) throws Exception;
        /** The same, byMember naming who asked (their dial-out rate); refusals are SignalingExceptions (target_not_allowed, rate_limited, busy). */
        default void dial(String meetingId, String byMember, String target) throws Exception { dial(meetingId, target); }
        default void callBack(String meetingId, String participantId, String byMember, String target) throws Exception { callBack(meetingId, participantId, target); }
    }

    /** Whom a member's dial-out rate counts: their token's subject (a rejoin is the same member), else the participant. */
    static String dialingMember(Participant p) {
        return p.identity != null && p.identity.userId() != null ? "user:" + p.identity.userId() : "participant:" + p.id;
    }
    volatile Dialer dialer;
    public void dialer(Dialer d) { this.dialer = d; }

    // ================================================================== phone members (MeetingPhones)

    /** A callee a host invited: joins on answer, no IVR or password (the host's invitation is the access). */
    public PhoneMember joinInvitedPhone(String meetingId, String name, org.roundtable.mixer.AudioCodec.Kind codec, int pt, int eventPt, org.roundtable.bridge.transport.PlainRtpLeg leg,
                                        java.util.function.Consumer<String> onClosed) throws SignalingException {
        return phoneEntry.joinInvitedPhone(meetingId, name, codec, pt, eventPt, leg, onClosed);
    }

    /** Call me back answered: the phone leg carries this member's voice from now on (see {@link MeetingPhones}). */
    public PhoneMember attachCallBack(String meetingId, String participantId, org.roundtable.mixer.AudioCodec.Kind codec, int pt, int eventPt, org.roundtable.bridge.transport.PlainRtpLeg leg,
                                      Runnable hangup) throws SignalingException {
        return phoneEntry.attachCallBack(meetingId, participantId, codec, pt, eventPt, leg, hangup);
    }

    /** The call-back phone hung up: the member's browser microphone carries their voice again. */
    public void detachCallBack(String meetingId, Participant p) { phoneEntry.detachCallBack(meetingId, p); }

    /** A caller who dialled in (after the IVR): see {@link MeetingPhones}. */
    public PhoneMember joinPhone(JoinRequest r, org.roundtable.mixer.AudioCodec.Kind codec, int pt, int eventPt, org.roundtable.bridge.transport.PlainRtpLeg leg, java.util.function.Consumer<String> onClosed) throws SignalingException {
        return phoneEntry.joinPhone(r, codec, pt, eventPt, leg, onClosed, () -> {});
    }

    /** The same; onAdmitted runs when a host lets a caller out of the lobby. */
    public PhoneMember joinPhone(JoinRequest r, org.roundtable.mixer.AudioCodec.Kind codec, int pt, int eventPt, org.roundtable.bridge.transport.PlainRtpLeg leg, java.util.function.Consumer<String> onClosed,
                                 Runnable onAdmitted) throws SignalingException {
        return phoneEntry.joinPhone(r, codec, pt, eventPt, leg, onClosed, onAdmitted);
    }

    /** A phone leg the caller already admitted (its access checked elsewhere) joins by meeting id. */
    public PhoneMember joinPhone(String meetingId, String name, Identity who, org.roundtable.mixer.AudioCodec.Kind codec, int payloadType,
                                 int eventPayloadType, java.net.InetSocketAddress remoteRtp, Participant.Client client) throws SignalingException {
        return phoneEntry.joinPhone(meetingId, name, who, codec, payloadType, eventPayloadType, remoteRtp, client);
    }

    /** A dial-out or call back did not connect: the member who asked, or else the hosts, are told. Any thread. */
    public void dialOutFailed(String meetingId, String forParticipant, String target, String reason) {
        phoneEntry.dialOutFailed(meetingId, forParticipant, target, reason);
    }

    public Jwt jwt() { return jwt; }
    public AttemptLimiter limiter() { return limiter; }

    /** A join request as a client sends it: meeting id or number, and what proves access. */
    public record JoinRequest(String meetingKey, String name, String token, String password, String source) {}

    /** Verifies a token, counting a failure against the source; null token gives null. */
    public Identity authenticate(String token, String source, String meetingKey) throws SignalingException {
        return entry.authenticate(token, source, meetingKey);
    }

    /**
     * Joins by meeting id or number with the caller's proof of access (see {@link MeetingEntry#join}: registry
     * meetings admit their owner, invitees and the password's holders; other ids exist only in open mode).
     */
    public Participant join(JoinRequest r, Participant.Kind kind, Participant.Client client, String watches) throws SignalingException {
        return entry.join(r, kind, client, watches);
    }

    /** Binds a signalling session to a user (for reminders) without joining a meeting. */
    public void registerSession(String userId, Participant.Client client) { reminders.register(userId, client); }

    public void unregisterSession(String userId, Participant.Client client) { reminders.unregister(userId, client); }

    public ObjectMapper json() { return json; }
    public int meetingCount() { return meetings.size(); }
    public Meeting find(String id) { return meetings.get(id); }

    public static boolean validMeetingId(String id) { return id != null && MEETING_ID.matcher(id).matches(); }

    Meeting meetingFor(String id, boolean create) throws SignalingException {
        return meetingFor(id, create, false);
    }

    Meeting meetingFor(String id, boolean create, boolean inRegistry) throws SignalingException {
        if (!validMeetingId(id)) throw new SignalingException("bad_meeting_id", 400, "meeting id must be 1-64 letters, digits, '.', '_' or '-'");
        Meeting m = meetings.get(id);
        if (m == null && create && (config.openMeetings() || inRegistry)) {
            Long ended = endedAt.get(id);
            if (!inRegistry && ended != null && time.millis() - ended < ENDED_MEMORY_MS)
                throw new SignalingException("meeting_ended", 410, "the meeting has ended");
            m = meetings.computeIfAbsent(id, k -> {
                Meeting nm = new Meeting(k, bridge.conference(k), new SerialExecutor(time.work()));
                nm.registry = inRegistry && registry.find(k).isPresent();
                nm.conference.addListener(c -> nm.exec.execute(() -> media.sourcesChanged(nm)));
                nm.conference.addSpeakerListener(who -> nm.exec.execute(() -> media.speakerChanged(nm, who)));
                return nm;
            });
        }
        if (m == null) throw new SignalingException("not_found", 404, "no such meeting");
        return m;
    }

    <T> T onMeeting(Meeting m, Callable<T> task) throws SignalingException {
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

    // ================================================================== joining

    /**
     * Joins a meeting (creating it in open mode). In a locked meeting a member waits in the lobby: it
     * gets no media endpoint until a host admits it.
     */
    public Participant join(String meetingId, String name, Participant.Kind kind, Participant.Client client, String watches) throws SignalingException {
        return join(new JoinRequest(meetingId, name, null, null, "local"), kind, client, watches);
    }

    /** Joins a meeting whose access was checked (see {@link MeetingEntry}): a member, or one waiting in the lobby. */
    Participant join(String meetingId, String name, Participant.Kind kind, Participant.Client client, String watches,
                     boolean inRegistry, boolean owner, Identity who, String source) throws SignalingException {
        return entry.join(meetingId, name, kind, client, watches, inRegistry, owner, who, source);
    }

    /** Makes np a member with media: role, endpoint, announcement. On exec. */
    void enter(Meeting m, Participant np) { entry.enter(m, np); }

    /** The 'joined' payload (or 'lobby' for a member waiting to be admitted). */
    public ObjectNode joinedMessage(String meetingId, Participant self) throws SignalingException {
        Meeting m = meetingFor(meetingId, false);
        return onMeeting(m, () -> joinedPayload(m, self));
    }

    ObjectNode joinedPayload(Meeting m, Participant self) { return entry.joinedPayload(m, self); }

    // ================================================================== media (MeetingMedia)

    /** Tells a newcomer which tracks exist (a receive-only member publishes nothing, so no source change would). */
    public void announceTracks(String meetingId) { media.announceTracks(meetingId); }

    /** Applies an SDP offer from a participant and returns the answer. contentMids: the sections carrying a shared screen. */
    public String offer(String meetingId, Participant p, String sdp, Set<String> contentMids) throws SignalingException {
        return media.offer(meetingId, p, sdp, contentMids);
    }

    /** Back-compatible form with no content. */
    public String offer(String meetingId, Participant p, String sdp) throws SignalingException {
        return media.offer(meetingId, p, sdp, Set.of());
    }

    /** A member's own microphone/camera toggle. Unmuting after a host mute obeys the meeting's policy. */
    public void setMedia(String meetingId, Participant p, String kind, boolean on) throws SignalingException {
        media.setMedia(meetingId, p, kind, on);
    }

    /** Starts or stops sharing content. Only hosts and presenters; a new share takes over (by policy). */
    public void share(String meetingId, Participant p, boolean active) throws SignalingException { media.share(meetingId, p, active); }

    void stopShare(Meeting m, Participant p, String reason) { media.stopShare(m, p, reason); }

    /** Pushes a participant's mute/camera state into the bridge. On exec. */
    void applyMedia(Participant p) { media.applyMedia(p); }

    // ================================================================== recording and live (MeetingOutputs)

    /** The live stream, for a host: action start (rtmp: push targets to add), stop, revoke or status. */
    public ObjectNode live(String meetingId, Participant p, String action, java.util.List<String> rtmp) throws SignalingException {
        return outputs.live(meetingId, p, action, rtmp);
    }

    /** The same for the HTTP API's caller, who must host the registry meeting or hold the live permission. */
    public ObjectNode liveFromApi(String meetingKey, Identity who, String action, java.util.List<String> rtmp) throws SignalingException {
        return outputs.liveFromApi(meetingKey, who, action, rtmp);
    }

    /** Starts or stops a live meeting's recording from the HTTP API (the meeting's hosts or the record permission). */
    public org.roundtable.recorder.Recording recordFromApi(String meetingKey, Identity who, boolean on) throws SignalingException {
        return outputs.recordFromApi(meetingKey, who, on);
    }

    /** Starts or stops m's recording for by (who may was checked). On exec. */
    void setRecording(Meeting m, boolean on, Participant by) throws SignalingException { outputs.setRecording(m, on, by); }

    /** The picture and sound settings of the compositions recordings and live streams share (before enabling either). */
    public void composeWith(org.roundtable.mixer.compose.Composition.Config cfg) { outputs.composeWith(cfg); }

    /** Recording: without this the recording commands are refused (recording_unavailable). */
    public void enableRecording(org.roundtable.recorder.RecordingService service, org.roundtable.mixer.compose.Composition.Config cfg) {
        outputs.enableRecording(service, cfg);
    }

    /** Live streaming: without this the live commands are refused (live_unavailable). */
    public void enableLive(org.roundtable.streaming.live.LiveDirectory directory, org.roundtable.streaming.hls.HlsConfig hls,
                           org.roundtable.streaming.hls.HlsRuntime runtime, org.roundtable.streaming.rtmp.RtmpOptions rtmp,
                           org.roundtable.streaming.rtmp.RtmpMetrics rtmpMetrics) {
        outputs.enableLive(directory, hls, runtime, rtmp, rtmpMetrics);
    }

    // ================================================================== host controls

    /**
     * A host control. action: muteAll, unmuteAll, mute, unmute, cameraOff, cameraOn, setRole, remove,
     * lock, unlock, admit, reject, endForAll, setPolicy, startRecording, stopRecording.
     */
    public void control(String meetingId, Participant p, String action, String target, String role, Boolean allowSelfUnmute) throws SignalingException {
        HostCommand cmd = HostCommand.of(action);
        if (cmd == null) throw new SignalingException("unknown_action", 400, "unknown control '" + action + "'");
        Meeting m = meetingFor(meetingId, false);
        onMeeting(m, () -> {
            requireMember(p);
            cmd.allowed(p);
            Participant t = switch (cmd.target) {
                case MEMBER, MEMBER_OR_VIEWER, LOBBY -> targetOf(m, cmd, target);
                default -> null;
            };
            hostControls.run(m, p, cmd, t, target, role, allowSelfUnmute);
            return null;
        });
    }

    /** The member a command acts on: present, of the right kind, in the lobby exactly when the command is for the lobby. On exec. */
    private static Participant targetOf(Meeting m, HostCommand cmd, String target) throws SignalingException {
        if (target == null) throw new SignalingException("bad_message", 400, "'target' (participant id) is required");
        Participant t = m.participants.get(target);
        boolean viewerOk = cmd.target == HostCommand.Target.MEMBER_OR_VIEWER && t != null && t.kind == Participant.Kind.WHEP;
        if (t == null || (!t.isMember() && !viewerOk)) throw new SignalingException("not_found", 404, "no such participant in the meeting");
        boolean lobbyAction = cmd.target == HostCommand.Target.LOBBY;
        if (lobbyAction != t.inLobby) throw new SignalingException("bad_state", 409, t.inLobby ? t.name + " is in the lobby" : t.name + " is not in the lobby");
        return t;
    }

    static void requireMember(Participant p) throws SignalingException {
        if (p.left) throw new SignalingException("bad_state", 409, "participant has left");
        if (p.inLobby) throw new SignalingException("in_lobby", 409, "waiting in the lobby until a host admits you");
    }

    static List<Participant> hosts(Meeting m) {
        List<Participant> l = new ArrayList<>();
        for (Participant x : m.members()) if (x.role == Role.HOST) l.add(x);
        return l;
    }

    // ================================================================== leaving

    /** Leaves; a host may name who takes over (transferTo). */
    public void leave(String meetingId, Participant p, String reason, String transferTo) {
        Meeting m = meetings.get(meetingId);
        if (m == null) return;
        m.exec.execute(() -> leaveNow(m, p, reason, transferTo));
    }

    public void leave(String meetingId, Participant p, String reason) { leave(meetingId, p, reason, null); }

    void leaveNow(Meeting m, Participant p, String reason, String transferTo) {
        if (p.left) return;
        boolean wasHost = p.role == Role.HOST && !p.inLobby;
        boolean wasLobby = p.inLobby;
        if (p.sharing) media.stopShare(m, p, null);
        p.left = true;
        m.participants.remove(p.id);
        if (p.endpoint != null) m.conference.execute(() -> p.endpoint.close(reason));
        phones.close(m, p);
        LOG.info("{} left meeting {}: {}", p.id, m.id, reason);
        if (wasLobby) {
            ObjectNode ev = event("lobbyLeft");
            ev.put("participantId", p.id);
            ev.put("admitted", false);
            events.toHosts(m, ev);
        } else {
            ObjectNode ev = event("participantLeft");
            ev.put("participantId", p.id);
            ev.put("reason", reason);
            events.broadcast(m, ev, p);
            outputs.compositions().roster(m);
        }
        try { p.client.closed(reason); } catch (RuntimeException ignored) { /* client gone */ }
        // A meeting always has a host: the one the leaving host chose, else the longest-present member.
        if (wasHost && !m.hasHost()) {
            Participant next = transferTo == null ? null : m.participants.get(transferTo);
            if (next == null || next.inLobby || !next.isMember() || next.kind != Participant.Kind.WEB) {
                // nobody named: the longest-present member who may be host (in a registry meeting, a host grant)
                next = m.members().stream().filter(x -> Admission.mayInheritHost(x.asCaller(false), m.registry))
                        .min(Comparator.comparingLong(x -> x.order)).orElse(null);
            }
            if (next != null) {
                next.role = Role.HOST;
                memberUpdated(m, next, "role");
                // a new host must see the lobby
                for (Participant l : m.lobby()) {
                    ObjectNode ev = event("lobbyJoined");
                    ev.set("participant", events.describe(m, l));
                    next.client.send(ev);
                }
            }
        }
        if (m.members().isEmpty()) {
            // nobody left to admit the lobby: tell them, then close
            for (Participant l : m.lobby()) {
                ObjectNode ev = event("rejected");
                ev.put("reason", "the meeting has no members");
                l.client.send(ev);
                l.left = true;
                m.participants.remove(l.id);
                l.client.closed("meeting ended");
            }
        }
        if (m.participants.isEmpty()) closeMeeting(m);
    }

    /** Ends a member's phone media (leg, mix, source); the member may stay (call back). On exec. */
    void endMeeting(Meeting m, String reason) {
        // the registry first: anyone told "ended" who asks right away must see it ended
        try { registry.markEnded(m.id); } catch (RuntimeException e) { LOG.warn("cannot mark meeting {} ended: {}", m.id, e.toString()); }
        ObjectNode ev = event("ended");
        ev.put("reason", reason);
        for (Participant x : new ArrayList<>(m.participants.values())) {
            x.client.send(ev);
            x.left = true;
            m.participants.remove(x.id);
            if (x.endpoint != null) m.conference.execute(() -> x.endpoint.close(reason));
            phones.close(m, x);
            try { x.client.closed(reason); } catch (RuntimeException ignored) { /* gone */ }
        }
        endedAt.put(m.id, time.millis());
        endedAt.values().removeIf(t -> time.millis() - t > ENDED_MEMORY_MS);
        closeMeeting(m);
    }

    private void closeMeeting(Meeting m) {
        outputs.closing(m);
        m.ended = true;
        meetings.remove(m.id, m);
        bridge.removeConference(m.id);
        LOG.info("meeting {} ended", m.id);
    }

    // ================================================================== events

    void memberUpdated(Meeting m, Participant p, String change) {
        if (!p.inLobby) outputs.compositions().roster(m);
        ObjectNode ev = event("participantUpdated");
        ev.put("change", change);
        ev.set("participant", events.describe(m, p));
        if (p.inLobby) events.toHosts(m, ev); else events.broadcast(m, ev, null);
    }

    public ObjectNode event(String type) { return events.event(type); }

    static String newId() {
        return Long.toString(RND.nextLong() & Long.MAX_VALUE, 36);
    }

    public void close() {
        outputs.close(meetings.values());
        reminders.close();
        phones.shutdown();
        time.shutdown();
    }
}
