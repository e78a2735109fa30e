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
    public final long joinedAtMs = System.currentTimeMillis();
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
    /** The registry meeting's creator: always host, never waits in the lobby. */
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
    /** For WHEP viewers: whose media they watch. */
    String watches;
    int wantAudio = -1, wantVideo = -1;
    final Set<String> announcedTracks = new HashSet<>();
    final Set<String> contentMids = new HashSet<>();

    Participant(String id, String name, Kind kind, Client client) {
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.client = client;
        synchronized (Participant.class) { this.order = ++seq; }
    }

    /** The meeting this participant is in (the registry id when the caller used a meeting number). */
    String meetingId;

    public Endpoint endpoint() { return endpoint; }
    public String meetingId() { return meetingId; }
    public org.roundtable.signaling.auth.Identity identity() { return identity; }
    public boolean isMember() { return kind != Kind.WHEP; }
    public Role role() { return role; }
    public boolean inLobby() { return inLobby; }
    boolean audioPaused() { return !audioOn || mutedByHost; }
    boolean videoPaused() { return !videoOn || cameraOffByHost; }
}
