package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.roundtable.signaling.meeting.MeetingService.Dialer;
import org.roundtable.signaling.meeting.MeetingService.PendingPhone;
import org.roundtable.signaling.meeting.Participant.Role;

/**
 * What each host control does to a meeting once {@link MeetingService#control} has checked that the caller
 * may give it and found its target (mute all, mute, camera off, roles, remove, lock, lobby admit and
 * reject, end for all, the self-unmute policy, recording, dial-out and call back). The rules of who may
 * are {@link HostCommand}'s; the meeting state and its events are the service's.
 * Thread: the meeting's executor (exec), as control() runs it.
 */
final class HostControls {
    private final MeetingService s;

    HostControls(MeetingService s) { this.s = s; }

    /** Applies cmd, given by p, to m (t: its target member, or null for commands without one). On exec. */
    void run(Meeting m, Participant p, HostCommand cmd, Participant t, String target, String role, Boolean allowSelfUnmute) throws Exception {
        switch (cmd) {
            case CALL_ME_BACK -> {
                String needs = s.config.sip().callbackNeeds();      // toll fraud: a call back costs like a dial-out
                if (!needs.equals("member") && (p.identity == null || !p.identity.can(needs)))
                    throw new SignalingException("forbidden", 403, "a call back needs the " + needs + " permission");
                dial(checkAddress(target), d -> d.callBack(m.id, p.id, MeetingService.dialingMember(p), target));
            }
            case DIAL_OUT -> dial(checkAddress(target), d -> d.dial(m.id, MeetingService.dialingMember(p), target));
            case MUTE_ALL, UNMUTE_ALL -> {
                boolean mute = cmd == HostCommand.MUTE_ALL;
                for (Participant x : m.members()) {
                    if (x == p || x.mutedByHost == mute) continue;
                    x.mutedByHost = mute;
                    s.applyMedia(x);
                    s.memberUpdated(m, x, mute ? "muted" : "unmuted");
                }
            }
            case MUTE, UNMUTE -> {
                t.mutedByHost = cmd == HostCommand.MUTE;
                s.applyMedia(t);
                s.memberUpdated(m, t, t.mutedByHost ? "muted" : "unmuted");
            }
            case CAMERA_OFF, CAMERA_ON -> {
                t.cameraOffByHost = cmd == HostCommand.CAMERA_OFF;
                s.applyMedia(t);
                s.memberUpdated(m, t, cmd.wire);
            }
            case SET_ROLE -> {
                Role r = Role.of(role);
                if (r == null) throw new SignalingException("bad_message", 400, "'role' must be host, presenter or guest");
                if (t.role == Role.HOST && r != Role.HOST && MeetingService.hosts(m).size() == 1)
                    throw new SignalingException("last_host", 409, "a meeting always has a host: make someone else host first");
                t.role = r;
                if (r == Role.GUEST && t.sharing) s.stopShare(m, t, "only hosts and presenters can share content");
                s.memberUpdated(m, t, "role");
            }
            case REMOVE -> {
                if (t == p) throw new SignalingException("bad_message", 400, "use leave to leave the meeting");
                ObjectNode ev = s.event("removed");
                ev.put("reason", "removed by " + p.name);
                t.client.send(ev);
                // removed for the meeting's life: neither a new session nor a WHEP viewer brings them back
                if (t.identity != null) m.removed.add("user:" + t.identity.userId());
                if (t.source != null) m.removed.add("src:" + t.source);
                s.leaveNow(m, t, "removed by host", null);
            }
            case LOCK, UNLOCK -> {
                m.locked = cmd == HostCommand.LOCK;
                ObjectNode ev = s.event("locked");
                ev.put("locked", m.locked);
                s.events.broadcast(m, ev, null);
            }
            case ADMIT -> {
                s.enter(m, t);
                if (t.pendingPhone != null) {
                    PendingPhone pp = t.pendingPhone;
                    t.pendingPhone = null;
                    s.phones.start(m, t, pp.codec(), pp.pt(), pp.eventPt(), pp.leg());
                    pp.onAdmitted().run();
                }
                ObjectNode ev = s.event("lobbyLeft");
                ev.put("participantId", t.id);
                ev.put("admitted", true);
                s.events.toHosts(m, ev);
                ObjectNode admitted = s.joinedPayload(m, t);
                admitted.put("type", "admitted");
                t.client.send(admitted);
            }
            case REJECT -> {
                ObjectNode ev = s.event("rejected");
                ev.put("reason", "a host declined your request to join");
                t.client.send(ev);
                s.leaveNow(m, t, "rejected by host", null);
            }
            case END_FOR_ALL -> s.endMeeting(m, "ended by " + p.name);
            case SET_POLICY -> {
                if (allowSelfUnmute == null) throw new SignalingException("bad_message", 400, "'allowSelfUnmute' (boolean) is required");
                m.allowSelfUnmute = allowSelfUnmute;
                ObjectNode ev = s.event("policy");
                ev.put("allowSelfUnmute", m.allowSelfUnmute);
                s.events.broadcast(m, ev, null);
            }
            case START_RECORDING, STOP_RECORDING -> s.setRecording(m, cmd == HostCommand.START_RECORDING, p);
        }
    }

    private static String checkAddress(String target) throws SignalingException {
        if (target == null || target.isBlank() || target.length() > 128 || !target.matches("[A-Za-z0-9_.:@+;=-]+"))
            throw new SignalingException("bad_message", 400, "'target' must be a SIP address or a phone number");
        return target;
    }

    private interface DialCall { void call(Dialer d) throws Exception; }

    /** Hands a dial-out or call back to the SIP gateway; its refusals (SignalingException) pass through. */
    private void dial(String target, DialCall call) throws SignalingException {
        MeetingService.Dialer d = s.dialer;
        if (d == null) throw new SignalingException("unavailable", 503, "there is no SIP gateway");
        try {
            call.call(d);
        } catch (SignalingException e) {
            throw e;
        } catch (Exception e) {
            throw new SignalingException("dial_failed", 400, "cannot call " + target + ": " + e.getMessage());
        }
    }
}
