package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.roundtable.bridge.Bridge;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.registry.MeetingRecord;
import org.roundtable.signaling.registry.MeetingRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What leaves a meeting: its recording and its live stream, both drawn by the meeting's one composition
 * (picture and mixed sound). Starting and stopping them for a host or the HTTP API, telling everyone (phones
 * by a prompt), and ending them with the meeting or the server. Who may is checked here for the HTTP API's
 * callers and by {@link HostCommand} for members. Thread: the public entries run on any thread and hop to
 * the meeting's serial executor; the rest run on it.
 */
final class MeetingOutputs {
    private static final Logger LOG = LoggerFactory.getLogger(MeetingOutputs.class);
    private final MeetingService s;
    private final Bridge bridge;
    private final MeetingRegistry registry;
    private final MeetingTime time;
    private volatile MeetingRecordings recordings;
    private volatile MeetingCompositions compositions;
    private volatile MeetingLive live;

    MeetingOutputs(MeetingService s, Bridge bridge, MeetingRegistry registry, MeetingTime time) {
        this.s = s;
        this.bridge = bridge;
        this.registry = registry;
        this.time = time;
        this.compositions = new MeetingCompositions(org.roundtable.mixer.compose.Composition.Config.defaults(), bridge, s.phones);
        this.recordings = new MeetingRecordings(null, compositions);
    }

    MeetingCompositions compositions() { return compositions; }

    /** A member entered m: a live stream waiting for its first member starts. On exec. */
    void entered(Meeting m) {
        MeetingLive l = live;
        if (l != null) l.whenEntered(m);
    }

    /** m is closing: its live stream and recording end with it. On exec. */
    void closing(Meeting m) {
        if (m.live != null && live != null) live.stop(m);
        if (m.recording != null) {
            org.roundtable.recorder.Recording r = recordings.stop(m);
            if (r != null) LOG.info("meeting {} ended: its recording {} is {} ({} ms)", m.id, r.id(), r.state(), r.durationMs());
        }
    }

    /** The server stops: every live stream and recording ends (the files are finished). */
    void close(Iterable<Meeting> meetings) {
        for (Meeting m : meetings) {
            if (m.live != null && live != null) {
                try { live.stop(m); } catch (RuntimeException e) { LOG.warn("meeting {}: stopping its live stream: {}", m.id, e.toString()); }
            }
            if (m.recording == null) continue;
            try { recordings.stop(m); } catch (RuntimeException e) { LOG.warn("meeting {}: stopping its recording: {}", m.id, e.toString()); }
        }
    }

    /**
     * The live stream, for a host: action start (rtmp: push targets to add), stop, or revoke (a new link,
     * the old one refused). Returns what the host's view shows: {on, link, hls, qr, viewers, bytes, targets}.
     */
    ObjectNode live(String meetingId, Participant p, String action, java.util.List<String> rtmp) throws SignalingException {
        HostCommand cmd = liveCommand(action);
        Meeting m = s.meetingFor(meetingId, false);
        return s.onMeeting(m, () -> {
            MeetingService.requireMember(p);
            (cmd == null ? HostCommand.START_LIVE : cmd).allowed(p);
            return liveNow(m, cmd, p.name, rtmp);
        });
    }

    /**
     * The same for the HTTP API's caller, who must host the registry meeting (its creator or a co-host) or
     * hold the live permission; action status gives the host's view.
     */
    ObjectNode liveFromApi(String meetingKey, Identity who, String action, java.util.List<String> rtmp) throws SignalingException {
        MeetingRecord rec = registry.find(meetingKey).orElse(null);
        String meetingId = rec != null ? rec.id() : meetingKey;
        if (!who.can("live") && (rec == null || !rec.hostedBy(who.userId())))
            throw new SignalingException("forbidden", 403, "only the meeting's hosts can run its live stream");
        String byName = who.name();
        HostCommand cmd = liveCommand(action);
        Meeting m = s.find(meetingId);
        if (m == null || m.ended) {
            if (cmd == null || cmd == HostCommand.STOP_LIVE) return MeetingLive.off();
            throw new SignalingException("not_live", 409, "the meeting has not started: live streams start in a running meeting");
        }
        return s.onMeeting(m, () -> liveNow(m, cmd, byName, rtmp));
    }

    /** Runs a live command (null: the host's view) on m. On exec. */
    private ObjectNode liveNow(Meeting m, HostCommand cmd, String by, java.util.List<String> rtmp) throws SignalingException {
        MeetingLive l = live;
        if (l == null) throw new SignalingException("live_unavailable", 503, "live streaming is not enabled on this server");
        return l.command(m, cmd, by, rtmp);
    }

    /** A live action's command (status: null, anyone who may start it may see it). */
    private static HostCommand liveCommand(String action) throws SignalingException {
        return switch (action) {
            case "start" -> HostCommand.START_LIVE;
            case "stop" -> HostCommand.STOP_LIVE;
            case "revoke" -> HostCommand.REVOKE_LIVE_LINK;
            case "status" -> null;
            default -> throw new SignalingException("bad_message", 400, "'action' must be start, stop, revoke or status");
        };
    }

    /** The picture and sound settings of the compositions recordings and live streams share (before enabling either). */
    void composeWith(org.roundtable.mixer.compose.Composition.Config cfg) {
        this.compositions = new MeetingCompositions(cfg, bridge, s.phones);
    }

    /**
     * Live streaming: the live links' directory, HLS settings and runtime, RTMP options and metrics.
     * Without this the live commands are refused (live_unavailable).
     */
    void enableLive(org.roundtable.streaming.live.LiveDirectory directory, org.roundtable.streaming.hls.HlsConfig hls,
                    org.roundtable.streaming.hls.HlsRuntime runtime, org.roundtable.streaming.rtmp.RtmpOptions rtmp,
                    org.roundtable.streaming.rtmp.RtmpMetrics rtmpMetrics) {
        this.live = new MeetingLive(compositions, directory, hls, runtime, rtmp, rtmpMetrics, s.events, registry, time::millis);
    }

    /**
     * Starts or stops the meeting's recording for by (a host, or a member with the record permission: the
     * caller checked). Everyone hears the new state (phones as a prompt). On exec.
     */
    void setRecording(Meeting m, boolean on, Participant by) throws SignalingException {
        setRecording(m, on, by.identity != null ? by.identity.userId() : null, by.name);
    }

    /** The same for a user id and name (the HTTP API's caller). Returns the recording started or stopped, or null. On exec. */
    org.roundtable.recorder.Recording setRecording(Meeting m, boolean on, String byUser, String byName) throws SignalingException {
        if ((m.recording != null) == on) return on ? m.recording.row : null;
        org.roundtable.recorder.Recording r;
        if (on) {
            String number = registry.find(m.id).map(MeetingRecord::number).orElse(null);
            r = recordings.start(m, byUser, byName, number).row;
        } else {
            r = recordings.stop(m);
        }
        recordingEvent(m, on, byName, r, null);
        return r;
    }

    /**
     * Starts or stops a live meeting's recording from the HTTP API: the caller must host the registry meeting
     * (its creator or a co-host) or hold the record permission. Returns the recording (null: none was running).
     */
    org.roundtable.recorder.Recording recordFromApi(String meetingKey, Identity who, boolean on) throws SignalingException {
        MeetingRecord rec = registry.find(meetingKey).orElse(null);
        String id = rec != null ? rec.id() : meetingKey;
        boolean allowed = who.can("record") || (rec != null && rec.hostedBy(who.userId()));
        if (!allowed) throw new SignalingException("forbidden", 403, "only the meeting's hosts or a user with the record permission can record");
        Meeting m = s.find(id);
        if (m == null || m.ended) throw new SignalingException("not_live", 409, "the meeting is not in progress");
        return s.onMeeting(m, () -> setRecording(m, on, who.userId(), who.name()));
    }

    private void recordingEvent(Meeting m, boolean on, String by, org.roundtable.recorder.Recording r, String reason) {
        ObjectNode ev = s.event("recording");
        ev.put("on", on);
        if (by != null) ev.put("by", by);
        if (r != null) ev.put("recordingId", r.id());
        if (reason != null) ev.put("reason", reason);
        s.events.broadcast(m, ev, null);
        for (Participant x : m.members()) if (x.phoneOutput != null) PhoneMedia.prompt(x, on ? "recording-started" : "recording-stopped");
    }

    /**
     * Recording: files under the recorder's directory, rows in its catalog, the composition's settings.
     * Without this the recording commands are refused (recording_unavailable).
     */
    void enableRecording(org.roundtable.recorder.RecordingService service, org.roundtable.mixer.compose.Composition.Config cfg) {
        composeWith(cfg);
        this.recordings = new MeetingRecordings(service, compositions);
        service.onFailure((r, why) -> {
            Meeting m = s.find(r.meetingId());
            if (m == null) return;
            m.exec.execute(() -> {
                if (m.recording == null || !m.recording.row.id().equals(r.id())) return;
                recordings.stop(m);
                LOG.warn("meeting {}: the recording stopped: {}", m.id, why);
                recordingEvent(m, false, null, r, why);
            });
        });
    }}
