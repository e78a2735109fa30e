package org.roundtable.signaling.meeting;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.auth.Identity;

/** Who may give which host command, as a table over every command. */
class HostCommandTest {
    static Participant member(Participant.Role role, Participant.Kind kind, String... permissions) {
        Participant p = new Participant("x", "X", kind, m -> { }, 0);
        p.role = role;
        if (permissions.length > 0) p.identity = new Identity("u", "U", Set.of(permissions));
        return p;
    }

    @Test void everyCommandByWho() {
        Participant guest = member(Participant.Role.GUEST, Participant.Kind.WEB), presenter = member(Participant.Role.PRESENTER, Participant.Kind.WEB),
                host = member(Participant.Role.HOST, Participant.Kind.WEB), recorder = member(Participant.Role.GUEST, Participant.Kind.WEB, "record"),
                dialer = member(Participant.Role.HOST, Participant.Kind.WEB, "dial_out"), phone = member(Participant.Role.HOST, Participant.Kind.SIP);
        for (HostCommand c : HostCommand.values()) {
            boolean callBack = c == HostCommand.CALL_ME_BACK;
            if (callBack) {
                assertDoesNotThrow(() -> c.allowed(guest), "any app member may ask for a call back (the gateway's policy decides)");
                assertEquals("forbidden", assertThrows(SignalingException.class, () -> c.allowed(phone)).code, "not a phone");
                continue;
            }
            assertEquals("forbidden", assertThrows(SignalingException.class, () -> c.allowed(guest), c.wire).code, "a guest: " + c.wire);
            assertEquals("forbidden", assertThrows(SignalingException.class, () -> c.allowed(presenter), c.wire).code, "a presenter: " + c.wire);
            if (c == HostCommand.DIAL_OUT) {
                assertThrows(SignalingException.class, () -> c.allowed(host), "a host without dial_out");
                assertDoesNotThrow(() -> c.allowed(dialer));
            } else {
                assertDoesNotThrow(() -> c.allowed(host), c.wire);
            }
            if (c.recording()) assertDoesNotThrow(() -> c.allowed(recorder), "the record permission records");
            else assertThrows(SignalingException.class, () -> c.allowed(recorder), "the record permission is for recording only: " + c.wire);
            assertEquals(c, HostCommand.of(c.wire));
        }
        assertNull(HostCommand.of("selfDestruct"));
    }
}
