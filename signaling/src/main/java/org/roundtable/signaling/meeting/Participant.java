package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import org.roundtable.bridge.router.Endpoint;

/**
 * A member of a meeting: a browser (WebSocket), a WHIP publisher, or a WHEP viewer (watch-only, not
 * listed as a member). Mutated only on its meeting's serial executor.
 */
public final class Participant {
    public enum Kind { WEB, WHIP, WHEP, SIP }

    public enum Role {
        HOST, PRESENTER, GUEST;
        public String wire() { return name().toLowerCase(); }
        public static Role of(String s) {
            for (Role r : values()) if (r.wire().equals(s)) return r;
            return null;
        }
    }

    /** Where a participant's events go (the WebSocket session; a no-op for WHIP/WHEP). */
    public interface Client {
        void send(ObjectNode message);
        /** The server ends this participant's session (e.g. its media timed out, or a host removed it). */
        default void closed(String reason) {}
    }

    public final String id;
    public final String name;
    public final Kind kind;
    public final Client client;
    public final long joinedAtMs;
    private static long seq;
    /** Join order, for "longest present". */
    final long order;
    Endpoint endpoint;
    Role role = Role.GUEST;
    /** Self-reported state (the client's own toggles). */
    boolean audioOn = true, videoOn = true;
    /** Host controls. */
    boolean mutedByHost, cameraOffByHost;
    boolean inLobby;
    boolean sharing;
    boolean speaking;
    boolean left;
    /** The registry meeting's creator or a co-host it named: always host, never waits in the lobby. */
    boolean owner;
    /** From the caller's token, or null for a guest. */
    org.roundtable.signaling.auth.Identity identity;
    /** For phone members: their audio as a conference source, their leg, and what they hear. */
    org.roundtable.bridge.router.MediaSource phoneSource;
    org.roundtable.bridge.transport.PlainRtpLeg phoneLeg;
    org.roundtable.mixer.AudioMixer.Listener phoneListener;
    MeetingService.PendingPhone pendingPhone;
    PhoneOutput phoneOutput;
    /** Call me back: a phone leg carries this member's voice instead of their browser's microphone. */
    boolean phoneReplacesMic;
    /** Ends the call-back phone call when the member leaves. */
    Runnable phoneHangup;
    /** Where the caller came from (address, or the caller's number at the PBX): removal memory for WHEP. */
    String source;
    /** For WHEP viewers: whose media they watch. */
    String watches;
    int wantAudio = -1, wantVideo = -1;
    /** The video codec this client asked to publish in ("VP8", "H264"), or null for the server's default. */
    volatile String videoCodec;
    final Set<String> announcedTracks = new HashSet<>();
    /** The source objects behind announcedTracks (identity: a source re-published in another codec keeps its id). */
    final Set<org.roundtable.bridge.router.MediaSource> announcedSources = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    final Set<String> contentMids = new HashSet<>();

    Participant(String id, String name, Kind kind, Client client, long joinedAtMs) {
        this.joinedAtMs = joinedAtMs;
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.client = client;
        synchronized (Participant.class) { this.order = ++seq; }
    }

    /**
     * The client's choice of video codec to publish in ("h264" or "vp8", from the join request), used
     * when every member can decode it. Any thread, before its offers.
     */
    public void preferVideo(String codec) {
        videoCodec = codec == null ? null : codec.toUpperCase(java.util.Locale.ROOT);
    }

    /** The meeting this participant is in (the registry id when the caller used a meeting number). */
    String meetingId;

    public Endpoint endpoint() { return endpoint; }
    public String meetingId() { return meetingId; }
    public org.roundtable.signaling.auth.Identity identity() { return identity; }
    public boolean isMember() { return kind != Kind.WHEP; }

    /** This caller as the admission rules see them. */
    Admission.Caller asCaller(boolean removed) { return new Admission.Caller(kind, identity, owner, removed); }
    public Role role() { return role; }
    public boolean inLobby() { return inLobby; }
    boolean audioPaused() { return !audioOn || mutedByHost; }
    boolean videoPaused() { return !videoOn || cameraOffByHost; }
}
