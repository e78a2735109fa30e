package org.roundtable.signaling.meeting;

import org.roundtable.signaling.auth.Identity;

/**
 * Who may enter a live meeting, and as what: the one decision every way in (the web client, WHIP, WHEP,
 * SIP) goes through once the caller's credentials are checked. Pure: no I/O, no clock, no state; the
 * table of cases is unit-tested ({@code AdmissionTest}).
 *
 * <p>Rules: in a registry meeting only its owner and callers whose token grants {@code host} are hosts
 * (a password, or arriving first, makes a guest); in open development mode the first browser member
 * becomes host when there is none. A locked meeting sends browsers and phones to the lobby, and refuses
 * WHIP and WHEP (they cannot wait), except for its hosts. A full meeting (members, lobby and viewers)
 * refuses; so does one that removed this caller.
 */
public final class Admission {
    private Admission() {}

    public enum Outcome { ENTER, LOBBY, REFUSE }

    /** The caller: how they come in, who their token says they are (or null), whether they own the meeting. */
    public record Caller(Participant.Kind kind, Identity who, boolean owner, boolean removed) {
        boolean hostGrant() { return owner || (who != null && who.can("host")); }
    }

    /** The meeting as it is now. */
    public record Room(boolean registry, boolean locked, int occupants, int maxParticipants, boolean hasHost) {}

    public record Decision(Outcome outcome, Participant.Role role, String code, int httpStatus, String reason) {
        static Decision refuse(String code, int status, String reason) { return new Decision(Outcome.REFUSE, null, code, status, reason); }
        public SignalingException error() { return new SignalingException(code, httpStatus, reason); }
    }

    public static Decision decide(Caller c, Room r) {
        if (c.removed()) return Decision.refuse("removed", 403, "a host removed you from this meeting");
        if (r.occupants() >= r.maxParticipants()) return Decision.refuse("meeting_full", 403, "the meeting is full");
        boolean host = c.hostGrant();
        if (r.locked() && !host) {
            if (c.kind() == Participant.Kind.WHIP || c.kind() == Participant.Kind.WHEP)
                return Decision.refuse("locked", 403, "the meeting is locked");
            return new Decision(Outcome.LOBBY, Participant.Role.GUEST, null, 0, null);
        }
        return new Decision(Outcome.ENTER, roleOnEntry(c, r), null, 0, null);
    }

    /** The role a caller gets on entering (also after waiting in the lobby). */
    public static Participant.Role roleOnEntry(Caller c, Room r) {
        if (c.kind() == Participant.Kind.WHEP || c.kind() == Participant.Kind.WHIP) return Participant.Role.GUEST;
        if (c.hostGrant()) return Participant.Role.HOST;
        // development mode only: someone has to run an ad-hoc meeting; phones never become host by arriving
        if (!r.registry() && !r.hasHost() && c.kind() == Participant.Kind.WEB) return Participant.Role.HOST;
        return Participant.Role.GUEST;
    }

    /**
     * Whether a member may be made host automatically when the last host leaves without naming one: in a
     * registry meeting only those with a host grant; in development mode any browser member.
     */
    public static boolean mayInheritHost(Caller c, boolean registry) {
        if (c.kind() != Participant.Kind.WEB) return false;
        return !registry || c.hostGrant();
    }
}
