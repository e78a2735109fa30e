package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.signaling.meeting.Participant.Role;

/**
 * A meeting's media as its members negotiate and switch it: SDP offers and the sources each member
 * receives, a member's own microphone and camera, content sharing, the mute and camera state pushed into
 * the bridge, and what the browsers are told when the conference's sources or its active speaker change.
 * Who may do what (admission, host controls) is {@link MeetingService}'s. Thread: the public entries run
 * on any thread and hop to the meeting's serial executor; the rest run on it.
 */
final class MeetingMedia {
    private final MeetingService svc;
    private final Bridge bridge;

    MeetingMedia(MeetingService svc, Bridge bridge) {
        this.svc = svc;
        this.bridge = bridge;
    }

    /** Tells a newcomer which tracks exist (a receive-only member publishes nothing, so no source change would). */
    void announceTracks(String meetingId) {
        Meeting m = svc.find(meetingId);
        if (m != null) m.exec.execute(() -> sourcesChanged(m));
    }

    // ================================================================== media negotiation

    /** Applies an SDP offer from a participant and returns the answer. contentMids: the sections carrying a shared screen. */
    String offer(String meetingId, Participant p, String sdp, Set<String> contentMids) throws SignalingException {
        Meeting m = svc.meetingFor(meetingId, false);
        Sdp offer;
        try {
            offer = Sdp.parse(sdp);
        } catch (Sdp.SdpException e) {
            throw new SignalingException("bad_sdp", 400, e.getMessage());
        }
        return svc.onMeeting(m, () -> {
            if (p.left) throw new SignalingException("bad_state", 409, "participant has left");
            if (p.inLobby) throw new SignalingException("in_lobby", 409, "waiting in the lobby: no media until a host admits you");
            Set<String> content = new HashSet<>(), refused = new HashSet<>();
            if (contentMids != null && !contentMids.isEmpty()) {
                // A share is only published while the server has granted it (see share()).
                if (p.sharing) content.addAll(contentMids); else refused.addAll(contentMids);
            }
            Endpoint.SourcePicker picker = picker(p);
            String codec = p.videoCodec;
            String answer = m.conference.call(() -> {
                p.endpoint.preferVideo(codec);
                return p.endpoint.negotiate(offer, picker, content, refused);
            });
            if (p.sharing) { p.contentMids.clear(); p.contentMids.addAll(content); }
            return answer;
        });
    }

    /** Back-compatible form with no content. */
    String offer(String meetingId, Participant p, String sdp) throws SignalingException {
        return offer(meetingId, p, sdp, Set.of());
    }

    private Endpoint.SourcePicker picker(Participant p) {
        return new Endpoint.SourcePicker() {
            @Override public MediaSource pick(MediaKind kind, Set<MediaSource> taken, Set<String> codecs) {
                if (p.kind == Participant.Kind.WHIP) return null;
                MediaSource fallback = null;
                for (MediaSource s : p.endpoint.conference.sources()) {
                    if (s.kind != kind || taken.contains(s) || s.ownerId.equals(p.id)) continue;
                    if (p.watches != null && !s.ownerId.equals(p.watches)) continue;
                    if (!codecs.contains(s.codec.name())) continue;
                    if (p.watches != null && s.content) { if (fallback == null) fallback = s; continue; } // WHEP: camera first
                    return s;
                }
                return fallback;
            }
            @Override public boolean keep(MediaSource s) { return p.watches == null || s.ownerId.equals(p.watches); }
        };
    }

    // ================================================================== self controls

    /** A member's own microphone/camera toggle. Unmuting after a host mute obeys the meeting's policy. */
    void setMedia(String meetingId, Participant p, String kind, boolean on) throws SignalingException {
        Meeting m = svc.meetingFor(meetingId, false);
        svc.onMeeting(m, () -> {
            MeetingService.requireMember(p);
            boolean audio = "audio".equals(kind);
            if (on && audio && p.mutedByHost) {
                if (!m.allowSelfUnmute) throw new SignalingException("muted_by_host", 403, "the host muted you and does not allow unmuting yourself");
                p.mutedByHost = false;
            }
            if (on && !audio && p.cameraOffByHost) {
                if (!m.allowSelfUnmute) throw new SignalingException("camera_off_by_host", 403, "the host turned your camera off and does not allow turning it back on");
                p.cameraOffByHost = false;
            }
            if (audio) p.audioOn = on; else p.videoOn = on;
            applyMedia(p);
            svc.memberUpdated(m, p, audio ? (on ? "unmuted" : "muted") : (on ? "cameraOn" : "cameraOff"));
            return null;
        });
    }

    /** Starts or stops sharing content. Only hosts and presenters; a new share takes over (by policy). */
    void share(String meetingId, Participant p, boolean active) throws SignalingException {
        Meeting m = svc.meetingFor(meetingId, false);
        svc.onMeeting(m, () -> {
            MeetingService.requireMember(p);
            if (!active) {
                stopShare(m, p, null);
                return null;
            }
            if (p.role == Role.GUEST) throw new SignalingException("forbidden", 403, "only hosts and presenters can share content");
            if (p.kind != Participant.Kind.WEB) throw new SignalingException("forbidden", 403, "this client cannot share content");
            Participant current = m.sharerId == null ? null : m.participants.get(m.sharerId);
            if (current != null && current != p) {
                if (!m.shareTakeover) throw new SignalingException("share_in_progress", 409, current.name + " is sharing");
                stopShare(m, current, "taken over by " + p.name);
            }
            p.sharing = true;
            m.sharerId = p.id;
            svc.memberUpdated(m, p, "sharing");
            return null;
        });
    }

    void stopShare(Meeting m, Participant p, String reason) {
        if (!p.sharing) return;
        p.sharing = false;
        if (p.id.equals(m.sharerId)) m.sharerId = null;
        Set<String> mids = new HashSet<>(p.contentMids);
        p.contentMids.clear();
        if (p.endpoint != null && !mids.isEmpty()) m.conference.execute(() -> p.endpoint.unpublish(mids));
        if (reason != null) {
            ObjectNode ev = svc.event("shareStopped");
            ev.put("reason", reason);
            p.client.send(ev);
        }
        svc.memberUpdated(m, p, "sharing");
    }

    /** Pushes a participant's mute/camera state into the bridge. On exec. */
    void applyMedia(Participant p) {
        if (p.phoneSource != null) {
            MediaSource src = p.phoneSource;
            boolean paused = p.audioPaused();
            src.setPaused(paused, bridge.nowMs());      // any thread
        }
        if (p.endpoint == null) return;
        boolean a = p.audioPaused() || p.phoneReplacesMic, v = p.videoPaused();
        Endpoint e = p.endpoint;
        e.conference.execute(() -> {
            e.setPaused(MediaKind.AUDIO, a);
            e.setPaused(MediaKind.VIDEO, v);
        });
    }

    /** Sources changed in the conference: tell each browser which tracks exist and ask it to renegotiate. */
    void sourcesChanged(Meeting m) {
        if (m.ended) return;
        if (m.audio != null) m.audio.sync();
        svc.outputs.compositions().follow(m);
        List<MediaSource> sources = m.conference.sources();
        for (Participant p : m.participants.values()) {
            if (p.kind != Participant.Kind.WEB || p.left || p.inLobby) continue;
            int a = 0, v = 0;
            Set<String> now = new HashSet<>();
            for (MediaSource s : sources) {
                if (s.ownerId.equals(p.id)) continue;
                now.add(s.id);
                if (s.kind == MediaKind.AUDIO) a++; else v++;
                if (!p.announcedTracks.contains(s.id)) {
                    ObjectNode ev = svc.event("trackAdded");
                    ev.put("participantId", s.ownerId);
                    ev.put("kind", s.kind.sdp());
                    ev.put("trackId", s.id);
                    ev.put("content", s.content);
                    p.client.send(ev);
                }
            }
            for (String old : p.announcedTracks) {
                if (!now.contains(old)) {
                    ObjectNode ev = svc.event("trackRemoved");
                    ev.put("trackId", old);
                    p.client.send(ev);
                }
            }
            // a source re-published under the same id (a new codec) is a change too: the member must re-offer to receive it
            Set<MediaSource> nowSources = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (MediaSource s : sources) if (!s.ownerId.equals(p.id)) nowSources.add(s);
            boolean changed = !p.announcedTracks.equals(now) || !p.announcedSources.equals(nowSources);
            p.announcedTracks.clear();
            p.announcedTracks.addAll(now);
            p.announcedSources.clear();
            p.announcedSources.addAll(nowSources);
            if (changed || a != p.wantAudio || v != p.wantVideo) {
                p.wantAudio = a;
                p.wantVideo = v;
                ObjectNode ev = svc.event("renegotiate");
                ev.put("audio", a);
                ev.put("video", v);
                p.client.send(ev);
            }
        }
    }

    /** The bridge wants a new offer from a browser (e.g. to publish in a codec a newcomer can decode). On exec. */
    void askToRenegotiate(Participant p) {
        if (p.kind != Participant.Kind.WEB || p.left || p.inLobby || p.client == null) return;
        ObjectNode ev = svc.event("renegotiate");
        ev.put("audio", p.wantAudio);
        ev.put("video", p.wantVideo);
        p.client.send(ev);
    }

    void speakerChanged(Meeting m, String who) {
        if (m.ended) return;
        for (Participant p : m.members()) {
            boolean now = p.id.equals(who);
            if (p.speaking != now) {
                p.speaking = now;
                svc.memberUpdated(m, p, "speaking");
            }
        }
        ObjectNode ev = svc.event("speaking");
        if (who == null) ev.putNull("participantId"); else ev.put("participantId", who);
        svc.events.broadcast(m, ev, null);
    }}
