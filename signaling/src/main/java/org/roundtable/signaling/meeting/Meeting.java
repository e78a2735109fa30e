package org.roundtable.signaling.meeting;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.roundtable.bridge.router.Conference;

/** A meeting: its members, lobby, policies and media router. State changes only on {@link #exec}. */
public final class Meeting {
    public final String id;
    public final Conference conference;
    public final SerialExecutor exec;
    final Map<String, Participant> participants = new LinkedHashMap<>();
    boolean ended;
    boolean locked;
    /** May members unmute themselves (and turn their camera back on) after a host did it? */
    boolean allowSelfUnmute = true;
    /** May a new share take over a running one? */
    boolean shareTakeover = true;
    /** The recording in progress (its composition and file), or null. */
    MeetingRecordings.Active recording;
    /** The live stream (HLS and RTMP pushes), or null. */
    MeetingLive.Active live;
    /** Whether the scheduled live stream was started (or found not wanted) already. */
    boolean liveStarted;
    /** The composition the recording and the live stream share (null when neither runs), and how many use it. */
    org.roundtable.mixer.compose.Composition composition;
    int compositionUsers;
    /** A registry meeting (hosts only by grant), not an ad-hoc one of development mode. */
    boolean registry;
    /** Who a host removed: "user:" + user id, "src:" + address (WHEP viewers); they cannot come back. */
    final java.util.Set<String> removed = new java.util.HashSet<>();
    String sharerId;
    /** The audio mix for phone members; null until the first phone joins. */
    MeetingAudio audio;

    Meeting(String id, Conference conference, SerialExecutor exec) {
        this.id = id;
        this.conference = conference;
        this.exec = exec;
    }

    /** Members in the meeting (not in the lobby, not WHEP viewers), in join order. Call on exec. */
    public List<Participant> members() {
        List<Participant> l = new ArrayList<>();
        for (Participant p : participants.values()) if (p.isMember() && !p.inLobby) l.add(p);
        return l;
    }

    /** WHEP viewers (watch-only), in join order. Call on exec. */
    List<Participant> viewers() {
        List<Participant> l = new ArrayList<>();
        for (Participant p : participants.values()) if (p.kind == Participant.Kind.WHEP) l.add(p);
        return l;
    }

    List<Participant> lobby() {
        List<Participant> l = new ArrayList<>();
        for (Participant p : participants.values()) if (p.inLobby) l.add(p);
        return l;
    }

    boolean hasHost() {
        for (Participant p : members()) if (p.role == Participant.Role.HOST) return true;
        return false;
    }
}
