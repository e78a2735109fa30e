package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The protocol's events (signaling/PROTOCOL.md): how a member is described to the others, and who hears
 * what. Thread: the meeting's executor for everything that reads a {@link Meeting}; {@link #event} any.
 */
final class MeetingEvents {
    private final ObjectMapper json;

    MeetingEvents(ObjectMapper json) { this.json = json; }

    ObjectNode event(String type) {
        ObjectNode o = json.createObjectNode();
        o.put("type", type);
        return o;
    }

    /** A member (or WHEP viewer, kind "whep") as clients see it. */
    ObjectNode describe(Meeting m, Participant p) {
        ObjectNode o = json.createObjectNode();
        o.put("id", p.id);
        o.put("name", p.name);
        o.put("kind", p.kind.name().toLowerCase());
        o.put("role", p.role.wire());
        o.put("muted", p.audioPaused());
        if (p.mutedByHost) o.put("mutedBy", "host"); else if (!p.audioOn) o.put("mutedBy", "self"); else o.putNull("mutedBy");
        o.put("camera", !p.videoPaused());
        if (p.cameraOffByHost) o.put("cameraOffBy", "host"); else if (!p.videoOn) o.put("cameraOffBy", "self"); else o.putNull("cameraOffBy");
        o.put("inLobby", p.inLobby);
        o.put("sharing", p.sharing);
        o.put("speaking", p.speaking);
        o.put("phone", p.phoneReplacesMic);
        // kept for clients of the first protocol version
        o.put("audio", !p.audioPaused());
        o.put("video", !p.videoPaused());
        return o;
    }

    /** To every browser member (not the lobby), but except. */
    void broadcast(Meeting m, ObjectNode ev, Participant except) {
        for (Participant p : m.participants.values())
            if (p != except && p.kind == Participant.Kind.WEB && !p.inLobby) p.client.send(ev);
    }

    /** To the hosts in the meeting. */
    void toHosts(Meeting m, ObjectNode ev) {
        for (Participant p : m.members()) if (p.role == Participant.Role.HOST) p.client.send(ev);
    }
}
