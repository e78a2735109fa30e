package org.roundtable.signaling.sip;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.transport.PlainRtpLeg;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.meeting.MeetingService;
import org.roundtable.signaling.sip.SipGateway.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls we place for a meeting: a host's dial-out (the callee joins when it answers) and a member's
 * call back (the answered phone carries that member's voice). Toll-fraud checks come first and nothing is
 * sent when they refuse (allow-list, free lines, the member's and the meeting's rate); then the INVITE
 * (through the PBX when registered, SDES-SRTP when configured), the dial timeout's CANCEL, and the answer's
 * SDP, which sets up the leg on the meeting's media loop. Every way a dial-out ends is claimed once (the
 * timeout, a failure response, a transport error and the 200 race), and a failure is told to whoever asked.
 * Thread: the caller's (a meeting's executor) for {@link #dial}; JAIN-SIP's listener threads for
 * responses and timeouts; the gateway's "ivr" scheduler for the timeout; "sip-work" for sending.
 */
final class DialOut {
    private static final Logger LOG = LoggerFactory.getLogger(DialOut.class);
    private final SipGateway gw;
    /** Dial-outs not yet answered or failed, by Call-ID. */
    private final Map<String, OutCall> outgoing = new ConcurrentHashMap<>();

    DialOut(SipGateway gw) { this.gw = gw; }

    /** Dial-outs in progress (not yet answered or failed). */
    int pending() { return outgoing.size(); }

    /** A dial-out in progress: the callee joins the meeting when it answers (or, for a call back, carries a member's voice). */
    private record OutCall(String meetingId, String target, String name, PlainRtpLeg leg, Call call, String forParticipant, byte[] localKey) {}

    /**
     * Calls target for meetingId (byMember: whose dial-out rate counts; forParticipant: the member a call back
     * is for, else null). Refusals are SignalingExceptions (target_not_allowed, rate_limited, busy).
     */
    void dial(String meetingId, String byMember, String target, String forParticipant) throws Exception {
        // toll fraud: an allowed target, a free line, within the member's and the meeting's rate; nothing is sent otherwise
        try {
            gw.dialOutPolicy.checkTarget(target);
            if (gw.calls.size() + outgoing.size() >= gw.cfg.maxCalls())
                throw new org.roundtable.signaling.meeting.SignalingException("busy", 503, "all " + gw.cfg.maxCalls() + " lines are busy (roundtable.sip.max-calls)");
            gw.dialOutPolicy.take(meetingId, byMember);
        } catch (org.roundtable.signaling.meeting.SignalingException e) {
            gw.metrics.dialOutRefused.labelValues(e.code).inc();
            LOG.info("dial-out to {} for meeting {} refused: {}", target, meetingId, e.getMessage());
            throw e;
        }
        ServerConfig.Registrar reg = gw.registrar.registration();
        String t = target.startsWith("sip:") ? target : "sip:" + target + "@" + (reg != null ? reg.host() : gw.cfg.advertisedAddress());
        javax.sip.address.URI to = gw.addresses.createURI(t);
        String user = to instanceof SipURI su && su.getUser() != null ? su.getUser() : "callee";
        SipURI from = gw.addresses.createSipURI(reg != null ? reg.user() : "roundtable", gw.cfg.advertisedAddress());
        String callId = SipIds.callId("out-"), fromTag = SipIds.tag();
        // through the PBX on its transport; a direct address on the transport it names
        String transport = reg != null ? reg.transport()
                : to instanceof SipURI su && su.getTransportParam() != null ? su.getTransportParam().toLowerCase(java.util.Locale.ROOT) : "udp";
        Request req = gw.messages.createRequest(to, Request.INVITE, gw.headers.createCallIdHeader(callId),
                gw.headers.createCSeqHeader(1L, Request.INVITE),
                gw.headers.createFromHeader(gw.addresses.createAddress("Roundtable", from), fromTag),
                gw.headers.createToHeader(gw.addresses.createAddress(to), null),
                java.util.List.of(gw.via(transport)), gw.headers.createMaxForwardsHeader(70));
        req.addHeader(gw.contact(from.getUser(), transport));
        if (reg != null) {
            SipURI proxy = gw.addresses.createSipURI(null, reg.host());
            proxy.setPort(reg.port());
            if (!transport.equals("udp")) proxy.setTransportParam(transport);
            proxy.setLrParam();
            req.addHeader(gw.headers.createRouteHeader(gw.addresses.createAddress(proxy)));
        }
        PlainRtpLeg leg = new PlainRtpLeg(gw.bridge, gw.bridge.legLoop(meetingId), 0, 101, 8000, (s2, t2, b2, o2, l2) -> { }).startWithRtcp(gw.cfg.bindAddress());
        leg.eventPayloadTypes(110, 101);
        leg.rtcpObserver(gw.metrics.rtcpObserver());
        byte[] localKey = gw.cfg.offerSrtp() ? Sdes.newKey() : null;   // SDES, mandatory: RTP/SAVP
        String sdp = "v=0\r\no=roundtable " + (Long.parseLong(SipIds.hex(3), 16)) + " 1 IN IP4 " + gw.cfg.advertisedAddress() + "\r\ns=Roundtable\r\n"
                + "c=IN IP4 " + gw.cfg.advertisedAddress() + "\r\nt=0 0\r\nm=audio " + leg.localPort() + (localKey != null ? " RTP/SAVP" : " RTP/AVP") + " 111 9 8 0 110 101\r\n"
                + "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\na=rtpmap:9 G722/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:110 telephone-event/48000\r\na=fmtp:110 0-15\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
                + LocalSdp.rtcpLines(false, leg.rtcpLocalPort())
                + (localKey != null ? Sdes.line("1", Sdes.SUITE, localKey) : "") + "a=ptime:20\r\na=sendrecv\r\n";
        req.setContent(sdp, gw.headers.createContentTypeHeader("application", "sdp"));
        Call call = new Call(callId, leg);
        call.tls = transport.equals("tls");
        outgoing.put(callId, new OutCall(meetingId, target, user, leg, call, forParticipant, localKey));
        // TCP and TLS connect (and handshake) inside sendRequest: off the caller's (meeting) thread
        gw.sipWork.execute(() -> {
            try {
                ClientTransaction ct = gw.provider.getNewClientTransaction(req);
                call.dialog = ct.getDialog();
                call.invite = ct;
                ct.sendRequest();
                LOG.info("dialling {} for meeting {} over {}", t, meetingId, transport);
            } catch (Exception e) {   // no route, no connection, untrusted certificate: nothing stays behind
                failed(callId, e.getMessage() != null ? e.getMessage() : e.toString());
            }
        });
        // a phone that rings and rings: CANCEL after the dial timeout
        gw.ivrClock.schedule(() -> cancelUnanswered(callId), gw.cfg.dialTimeoutSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    }

    private void cancelUnanswered(String callId) {
        OutCall oc = outgoing.get(callId);
        if (oc == null) return;
        ClientTransaction ct = oc.call().invite;
        // the outcome is claimed before the CANCEL goes: its 487 would otherwise race us and the host
        // would be told "487 Request Terminated" instead of "no answer" (CI saw it on a slow machine)
        if (!failed(callId, "no answer within " + gw.cfg.dialTimeoutSeconds() + " s")) return;
        try {
            if (ct != null && ct.getState() == javax.sip.TransactionState.PROCEEDING) gw.provider.getNewClientTransaction(ct.createCancel()).sendRequest();
        } catch (Exception e) {
            LOG.debug("CANCEL failed: {}", e.toString());
        }
    }

    void response(ResponseEvent ev) throws Exception {
        Response r = ev.getResponse();
        String callId = ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
        int code = r.getStatusCode();
        if (code < 200) return;
        if (code >= 300) { failed(callId, code + " " + r.getReasonPhrase()); return; }
        DialogKey key = DialogKey.ofResponse(r);
        if (key == null) { failed(callId, "a 200 without a To tag"); return; }
        OutCall oc = outgoing.remove(callId);   // claims the answer (the dial timeout may race us)
        if (oc == null) {
            // answered after we gave up (a CANCEL crossed the 200), or another fork answered: acknowledge and hang up at once
            if (callId.startsWith("out-") && !gw.calls.containsKey(key) && ev.getDialog() != null) {
                Dialog d = ev.getDialog();
                d.sendAck(d.createAck(((javax.sip.header.CSeqHeader) r.getHeader(javax.sip.header.CSeqHeader.NAME)).getSeqNumber()));
                d.sendRequest(gw.provider.getNewClientTransaction(d.createRequest(Request.BYE)));
            }
            return;
        }
        gw.metrics.calls.labelValues("out", "answered").inc();
        Dialog d = ev.getDialog() != null ? ev.getDialog() : oc.call().dialog;
        oc.call().dialog = d;
        long cseq = ((javax.sip.header.CSeqHeader) r.getHeader(javax.sip.header.CSeqHeader.NAME)).getSeqNumber();
        d.sendAck(d.createAck(cseq));
        Call call = oc.call();
        call.key = key;
        call.peer = r instanceof gov.nist.javax.sip.message.SIPMessage m ? m.getRemoteAddress() : null;
        gw.calls.put(key, call);      // from here on, the gateway's hangup() ends it properly (BYE, leg closed)
        gw.metrics.activeCalls.set(gw.calls.size());
        try {
            answered(oc, call, r);
        } catch (Exception e) {
            gw.hangup(call, "unusable answer: " + e.getMessage());
        }
    }

    /** A dial-out's 200: its SDP sets up the leg, then the callee joins (or carries a member's voice). */
    private void answered(OutCall oc, Call call, Response r) throws Exception {
        String callId = call.id;
        String answerText = new String(r.getRawContent(), java.nio.charset.StandardCharsets.UTF_8);
        Sdp answer = Sdp.parse(answerText);
        Sdp.Media audio = null;
        for (Sdp.Media m : answer.media) if (m.kind.equals("audio") && m.port != 0) { audio = m; break; }
        if (audio == null || audio.codecs.isEmpty() || audio.connection == null) { gw.hangup(call, "no audio in the answer"); return; }
        // the callee's codec (the best it answered: it may list telephone-event first), its telephone-event at that clock
        SipAnswer chosen = SipAnswer.of(answerText, answer, audio);
        Sdp.Codec c = chosen.codec;
        if (c == null) { gw.hangup(call, "no codec of ours in the answer"); return; }
        AudioCodec.Kind kind = SipGateway.kindOf(c);
        int eventPt = chosen.event == null ? -1 : chosen.event.pt;
        oc.leg().payloadTypes(c.pt, eventPt);
        oc.leg().clockRate(SipAnswer.clockOf(c));
        int[] answered = chosen.eventPts();
        int[] accepted = java.util.Arrays.copyOf(answered, answered.length + 2);
        accepted[answered.length] = 110;                 // what we offered, should the callee send on it
        accepted[answered.length + 1] = 101;
        oc.leg().eventPayloadTypes(accepted);
        Sdes.Remote crypto = oc.localKey() == null ? null : Sdes.remote(audio);
        if (oc.localKey() != null && crypto == null) { gw.hangup(call, "the callee refused SRTP"); return; }
        if (crypto != null && !crypto.suite().equals(Sdes.SUITE)) { gw.hangup(call, "the callee answered a suite we did not offer"); return; }
        if (crypto != null) oc.leg().srtp(Sdes.keys(crypto.suite(), oc.localKey(), crypto.key()));
        // one sender: the callee's SDP address, or (unusable, NAT) the first packet from now on
        if (MediaLatch.comedia(gw.cfg.rtpLatch(), audio.connection, call.peer)) oc.leg().comedia(null);
        else {
            InetSocketAddress sdpAddress = new InetSocketAddress(audio.connection, audio.port);
            if (gw.cfg.rtpLatch().equals("sdp")) oc.leg().remote(sdpAddress); else oc.leg().remoteLearning(sdpAddress);
            if (chosen.remoteRtcp != null) oc.leg().remoteRtcp(chosen.remoteRtcp);
        }
        call.local = new LocalSdp(gw.cfg.advertisedAddress(), oc.leg().localPort(), crypto != null ? "RTP/SAVP" : "RTP/AVP", SipAnswer.format(c),
                SipAnswer.format(chosen.event), LocalSdp.rtcpLines(false, oc.leg().rtcpLocalPort()), crypto != null ? Sdes.line("1", Sdes.SUITE, oc.localKey()) : "");
        if (oc.forParticipant() != null) {
            try {
                call.callBackFor = gw.meetings.attachCallBack(oc.meetingId(), oc.forParticipant(), kind, c.pt, eventPt, oc.leg(),
                        () -> gw.hangup(call, "the member left the meeting"));
            } catch (Exception e) {
                gw.hangup(call, "the member left before the call back was answered");
                return;
            }
            LOG.info("call back {} answered: it now carries {}'s voice", callId, oc.forParticipant());
            return;
        }
        MeetingService.PhoneMember pm = gw.meetings.joinInvitedPhone(oc.meetingId(), oc.name(), kind, c.pt, eventPt, oc.leg(), reason -> gw.hangup(call, reason));
        call.invited = pm;
        LOG.info("dial-out {} answered ({}{}): {} joined meeting {}", callId, kind, oc.leg().encrypted() ? ", SRTP" : "", oc.name(), oc.meetingId());
    }
    /** Ends a pending dial-out with a reason for the host; false if it had already ended (answered or failed). */
    boolean failed(String callId, String why) {
        OutCall oc = outgoing.remove(callId);
        if (oc == null) return false;
        LOG.info("dial-out {} to {} failed: {}", callId, oc.target(), why);
        gw.metrics.calls.labelValues("out", "failed").inc();
        oc.leg().close();
        gw.meetings.dialOutFailed(oc.meetingId(), oc.forParticipant(), oc.target(), why);
        return true;
    }

}
