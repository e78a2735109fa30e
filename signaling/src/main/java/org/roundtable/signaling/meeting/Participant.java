package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.roundtable.bridge.router.Endpoint;

/**
 * A member of a meeting: a browser (WebSocket), a WHIP publisher, or a WHEP viewer (watch-only, not
 * listed as a member). Mutated only on its meeting's serial executor.
 */
public final class Participant {
    public enum Kind { WEB, WHIP, WHEP }

    /** Where a participant's events go (the WebSocket session; a no-op for WHIP/WHEP). */
    public interface Client {
        void send(ObjectNode message);
        /** The server ends this participant's session (e.g. its media timed out). */
        default void closed(String reason) {}
    }

    public final String id;
    public final String name;
    public final Kind kind;
    public final Client client;
    public final long joinedAtMs = System.currentTimeMillis();
    Endpoint endpoint;
    boolean audioOn = true, videoOn = true;
    boolean left;
    /** For WHEP viewers: whose media they watch. */
    String watches;
    int wantAudio = -1, wantVideo = -1;
    final java.util.Set<String> announcedTracks = new java.util.HashSet<>();

    Participant(String id, String name, Kind kind, Client client) {
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.client = client;
    }

    public Endpoint endpoint() { return endpoint; }
    public boolean isMember() { return kind != Kind.WHEP; }
}
