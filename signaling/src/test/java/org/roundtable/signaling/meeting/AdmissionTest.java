package org.roundtable.signaling.meeting;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.meeting.Admission.Caller;
import org.roundtable.signaling.meeting.Admission.Outcome;
import org.roundtable.signaling.meeting.Admission.Room;
import org.roundtable.signaling.meeting.Participant.Kind;
import org.roundtable.signaling.meeting.Participant.Role;

/** The admission rules as a table: who enters, waits or is refused, and as what. */
class AdmissionTest {
    static final Identity USER = new Identity("u", "U", Set.of()), HOSTGRANT = new Identity("h", "H", Set.of("host"));

    record Row(String what, Caller caller, Room room, Outcome outcome, Role role, String code) {}

    static Caller c(Kind k, Identity who, boolean owner, boolean removed) { return new Caller(k, who, owner, removed); }
    static Room reg(boolean locked, int occupants, boolean hasHost) { return new Room(true, locked, occupants, 10, hasHost); }
    static Room dev(boolean locked, int occupants, boolean hasHost) { return new Room(false, locked, occupants, 10, hasHost); }

    @Test void table() {
        Row[] rows = {
            new Row("password guest first into a registry meeting", c(Kind.WEB, null, false, false), reg(false, 0, false), Outcome.ENTER, Role.GUEST, null),
            new Row("invitee without grant", c(Kind.WEB, USER, false, false), reg(false, 1, false), Outcome.ENTER, Role.GUEST, null),
            new Row("owner", c(Kind.WEB, USER, true, false), reg(false, 3, false), Outcome.ENTER, Role.HOST, null),
            new Row("token host grant", c(Kind.WEB, HOSTGRANT, false, false), reg(false, 3, true), Outcome.ENTER, Role.HOST, null),
            new Row("dev mode: first browser is host", c(Kind.WEB, null, false, false), dev(false, 0, false), Outcome.ENTER, Role.HOST, null),
            new Row("dev mode: later browser is guest", c(Kind.WEB, null, false, false), dev(false, 1, true), Outcome.ENTER, Role.GUEST, null),
            new Row("dev mode: a phone never hosts by arriving", c(Kind.SIP, null, false, false), dev(false, 0, false), Outcome.ENTER, Role.GUEST, null),
            new Row("locked: guest waits", c(Kind.WEB, null, false, false), reg(true, 2, true), Outcome.LOBBY, Role.GUEST, null),
            new Row("locked: phone waits", c(Kind.SIP, null, false, false), reg(true, 2, true), Outcome.LOBBY, Role.GUEST, null),
            new Row("locked: owner enters", c(Kind.WEB, USER, true, false), reg(true, 2, false), Outcome.ENTER, Role.HOST, null),
            new Row("locked: host grant enters", c(Kind.WEB, HOSTGRANT, false, false), reg(true, 2, true), Outcome.ENTER, Role.HOST, null),
            new Row("locked: WHEP refused", c(Kind.WHEP, null, false, false), reg(true, 2, true), Outcome.REFUSE, null, "locked"),
            new Row("locked: WHIP refused", c(Kind.WHIP, null, false, false), reg(true, 2, true), Outcome.REFUSE, null, "locked"),
            new Row("WHEP viewer", c(Kind.WHEP, null, false, false), reg(false, 2, true), Outcome.ENTER, Role.GUEST, null),
            new Row("WHEP with a host grant is still only a viewer", c(Kind.WHEP, HOSTGRANT, false, false), reg(false, 2, true), Outcome.ENTER, Role.GUEST, null),
            new Row("full (viewers count)", c(Kind.WHEP, null, false, false), reg(false, 10, true), Outcome.REFUSE, null, "meeting_full"),
            new Row("full: even the owner", c(Kind.WEB, USER, true, false), reg(false, 10, true), Outcome.REFUSE, null, "meeting_full"),
            new Row("removed", c(Kind.WEB, USER, false, true), reg(false, 1, true), Outcome.REFUSE, null, "removed"),
            new Row("removed viewer", c(Kind.WHEP, null, false, true), reg(false, 1, true), Outcome.REFUSE, null, "removed"),
        };
        for (Row r : rows) {
            Admission.Decision d = Admission.decide(r.caller(), r.room());
            assertEquals(r.outcome(), d.outcome(), r.what());
            assertEquals(r.role(), d.role(), r.what());
            assertEquals(r.code(), d.code(), r.what());
        }
    }

    @Test void whoInheritsHostWhenTheLastHostLeaves() {
        assertEquals(false, Admission.mayInheritHost(c(Kind.WEB, null, false, false), true), "a password guest in a registry meeting");
        assertEquals(false, Admission.mayInheritHost(c(Kind.WEB, USER, false, false), true), "an invitee without grant");
        assertEquals(true, Admission.mayInheritHost(c(Kind.WEB, HOSTGRANT, false, false), true));
        assertEquals(true, Admission.mayInheritHost(c(Kind.WEB, null, false, false), false), "development mode");
        assertEquals(false, Admission.mayInheritHost(c(Kind.SIP, HOSTGRANT, false, false), false), "phones never");
    }
}
