package org.roundtable.signaling.meeting;

/**
 * The host controls as typed commands (the protocol's {@code control} actions): what each needs (a target
 * member, one waiting in the lobby) and how a refusal names it. Who may use which is decided in
 * {@link #allowed}. Thread: any (immutable).
 */
public enum HostCommand {
    MUTE_ALL("muteAll", Target.NONE, "mute everyone"),
    UNMUTE_ALL("unmuteAll", Target.NONE, "unmute everyone"),
    MUTE("mute", Target.MEMBER, "mute other members"),
    UNMUTE("unmute", Target.MEMBER, "unmute other members"),
    CAMERA_OFF("cameraOff", Target.MEMBER, "turn other members' cameras off"),
    CAMERA_ON("cameraOn", Target.MEMBER, "turn other members' cameras on"),
    SET_ROLE("setRole", Target.MEMBER, "change roles"),
    REMOVE("remove", Target.MEMBER_OR_VIEWER, "remove members"),
    LOCK("lock", Target.NONE, "lock the meeting"),
    UNLOCK("unlock", Target.NONE, "unlock the meeting"),
    ADMIT("admit", Target.LOBBY, "admit people waiting in the lobby"),
    REJECT("reject", Target.LOBBY, "reject people waiting in the lobby"),
    END_FOR_ALL("endForAll", Target.NONE, "end the meeting for everyone"),
    SET_POLICY("setPolicy", Target.NONE, "change the meeting's policy"),
    START_RECORDING("startRecording", Target.NONE, "record"),
    STOP_RECORDING("stopRecording", Target.NONE, "record"),
    START_LIVE("startLive", Target.NONE, "start the live stream"),
    STOP_LIVE("stopLive", Target.NONE, "stop the live stream"),
    REVOKE_LIVE_LINK("revokeLiveLink", Target.NONE, "revoke the live link"),
    DIAL_OUT("dialOut", Target.ADDRESS, "dial out"),
    CALL_ME_BACK("callMeBack", Target.ADDRESS, "ask for a call back");

    /** What the command's target is. */
    public enum Target { NONE, MEMBER, MEMBER_OR_VIEWER, LOBBY, ADDRESS }

    public final String wire;
    public final Target target;
    private final String what;

    HostCommand(String wire, Target target, String what) { this.wire = wire; this.target = target; this.what = what; }

    /** The command named on the wire, or null. */
    public static HostCommand of(String wire) {
        for (HostCommand c : values()) if (c.wire.equals(wire)) return c;
        return null;
    }

    boolean recording() { return this == START_RECORDING || this == STOP_RECORDING; }
    boolean live() { return this == START_LIVE || this == STOP_LIVE || this == REVOKE_LIVE_LINK; }

    /**
     * Whether p may give this command: hosts may give all but call back; recording also needs only the
     * record permission; a call back is any app or browser member's own request (its permission is the
     * gateway policy's); dialling out also needs the dial_out permission. Throws the refusal.
     */
    void allowed(Participant p) throws SignalingException {
        if (this == CALL_ME_BACK) {
            if (p.kind != Participant.Kind.WEB) throw new SignalingException("forbidden", 403, "only app and browser members can ask for a call back");
            return;
        }
        boolean mayRecord = recording() && p.identity != null && p.identity.can("record");
        if (p.role != Participant.Role.HOST && !mayRecord)
            throw new SignalingException("forbidden", 403, recording() ? "only a host or a member with the record permission can record"
                    : "only a host can " + what);
        if (this == DIAL_OUT && (p.identity == null || !p.identity.can("dial_out")))
            throw new SignalingException("forbidden", 403, "dialling out needs the dial_out permission");
    }
}
