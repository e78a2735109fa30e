package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.roundtable.bridge.Bridge;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.meeting.MeetingService.JoinRequest;
import org.roundtable.signaling.meeting.MeetingService.PendingPhone;
import org.roundtable.signaling.meeting.MeetingService.PhoneMember;

/**
 * How phone callers become members, under the same rules as everyone: a caller who dialled in (after the
 * IVR, with the meeting's password; a locked meeting keeps them in the lobby), a callee a host invited, and
 * a member's call back (the phone carries their voice instead of the browser's microphone). Their media is
 * {@link PhoneMedia}'s. Thread: the entries run on the SIP gateway's threads and hop to the meeting's
 * serial executor.
 */
final class MeetingPhones {
    private final MeetingService s;
    private final Bridge bridge;

    MeetingPhones(MeetingService s, Bridge bridge) {
        this.s = s;
        this.bridge = bridge;
    }

    /** A phone member's events go nowhere (it has no screen); the end of its membership ends the call. */
    private static Participant.Client phoneClient(java.util.function.Consumer<String> onClosed) {
        return new Participant.Client() {
            @Override public void send(ObjectNode message) { }
            @Override public void closed(String reason) { onClosed.accept(reason); }
        };
    }

    /** A callee a host invited: joins on answer, no IVR or password (the host's invitation is the access). */
    PhoneMember joinInvitedPhone(String meetingId, String name, org.roundtable.mixer.AudioCodec.Kind codec, int pt, int eventPt,
                          org.roundtable.bridge.transport.PlainRtpLeg leg, java.util.function.Consumer<String> onClosed) throws SignalingException {
        Participant.Client client = phoneClient(onClosed);
        Meeting m0 = s.find(meetingId);
        if (m0 == null) throw new SignalingException("not_found", 404, "the meeting has ended");
        Participant p = s.join(meetingId, name, Participant.Kind.SIP, client, null, true, false, null, "invited");
        Meeting m = s.meetingFor(p.meetingId(), false);
        return s.onMeeting(m, () -> {
            if (p.inLobby) { s.enter(m, p); }      // invited by a host: no lobby
            s.phones.start(m, p, codec, pt, eventPt, leg);
            return new PhoneMember(p, leg.localPort(), false);
        });
    }

    /**
     * Call me back answered: the phone leg carries this member's voice from now on; their browser's
     * microphone is no longer forwarded. Identity and role stay. onClosed hears when the member leaves.
     */
    PhoneMember attachCallBack(String meetingId, String participantId, org.roundtable.mixer.AudioCodec.Kind codec, int pt, int eventPt,
                        org.roundtable.bridge.transport.PlainRtpLeg leg, Runnable hangup) throws SignalingException {
        Meeting m = s.meetingFor(meetingId, false);
        return s.onMeeting(m, () -> {
            Participant p = m.participants.get(participantId);
            if (p == null || p.left || p.inLobby || p.phoneLeg != null) throw new SignalingException("not_found", 404, "the member is not in the meeting");
            p.phoneReplacesMic = true;
            p.phoneHangup = hangup;
            s.phones.start(m, p, codec, pt, eventPt, leg);
            s.media.applyMedia(p);
            s.memberUpdated(m, p, "phone");
            return new PhoneMember(p, leg.localPort(), false);
        });
    }

    /** The call-back phone hung up: the member's browser microphone carries their voice again. */
    void detachCallBack(String meetingId, Participant p) {
        Meeting m = s.find(meetingId);
        if (m == null) return;
        m.exec.execute(() -> {
            if (!p.phoneReplacesMic) return;
            p.phoneReplacesMic = false;
            p.phoneHangup = null;      // the phone already hung up
            s.phones.close(m, p);
            s.media.applyMedia(p);
            if (!p.left) s.memberUpdated(m, p, "phone");
        });
    }

    /**
     * The SIP gateway's entry: joins by meeting number (or id) with the caller's password, under the same
     * rules and rate limits as everyone (the source is the caller's address); a locked meeting keeps the
     * caller in the lobby (onAdmitted runs when a host lets them in). The leg is handed to the meeting.
     * onClosed hears when the server ends the call (removed, meeting ended).
     */
    PhoneMember joinPhone(JoinRequest r, org.roundtable.mixer.AudioCodec.Kind codec, int pt, int eventPt,
                          org.roundtable.bridge.transport.PlainRtpLeg leg, java.util.function.Consumer<String> onClosed,
                          Runnable onAdmitted) throws SignalingException {
        Participant.Client client = phoneClient(onClosed);
        Participant p = s.join(r, Participant.Kind.SIP, client, null);
        Meeting m = s.meetingFor(p.meetingId(), false);
        return s.onMeeting(m, () -> {
            if (p.inLobby) {
                p.pendingPhone = new PendingPhone(codec, pt, eventPt, leg, onAdmitted);
                return new PhoneMember(p, leg.localPort(), true);
            }
            s.phones.start(m, p, codec, pt, eventPt, leg);
            return new PhoneMember(p, leg.localPort(), false);
        });
    }

    /**
     * Puts a phone leg into a meeting (the SIP gateway calls this once the caller is admitted). Its
     * audio is published into the conference as G.711 (browsers decode it as it is); it hears the
     * meeting through the mixer. Its keys give the in-call codes: *7 mute, *8 unmute (by policy), #7/#9
     * recording (record permission). Access rules are the caller's job (IVR, password, lobby).
     */
    PhoneMember joinPhone(String meetingId, String name, Identity who, org.roundtable.mixer.AudioCodec.Kind codec, int payloadType,
                          int eventPayloadType, java.net.InetSocketAddress remoteRtp, Participant.Client client) throws SignalingException {
        Participant p = s.join(meetingId, name == null ? "Phone" : name, Participant.Kind.SIP, client, null, s.registry().find(meetingId).isPresent(), false, who, null);
        Meeting m = s.meetingFor(p.meetingId(), false);
        return s.onMeeting(m, () -> {
            if (p.inLobby) return new PhoneMember(p, -1, true);
            org.roundtable.bridge.transport.PlainRtpLeg leg = new org.roundtable.bridge.transport.PlainRtpLeg(bridge, bridge.legLoop(m.id), payloadType,
                    eventPayloadType, 8000, (seq, ts, b, off, len) -> { }).start(s.config.bridge().bindAddress(), 0);
            leg.remote(remoteRtp);
            return new PhoneMember(p, s.phones.start(m, p, codec, payloadType, eventPayloadType, leg), false);
        });
    }

    /**
     * A dial-out or call back did not connect (refused, unanswered, unreachable): the member who asked
     * for the call back, or else the hosts, get a dialOutFailed event. Any thread.
     */
    void dialOutFailed(String meetingId, String forParticipant, String target, String reason) {
        Meeting m = s.find(meetingId);
        if (m == null) return;
        m.exec.execute(() -> {
            ObjectNode ev = s.event("dialOutFailed");
            ev.put("target", target);
            ev.put("reason", reason);
            Participant asker = forParticipant == null ? null : m.participants.get(forParticipant);
            if (asker != null) asker.client.send(ev); else s.events.toHosts(m, ev);
        });
    }}
