package org.roundtable.signaling.sip;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.transport.PlainRtpLeg;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.meeting.MeetingService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP gateway (JAIN-SIP): accepts calls from the company PBX's trunk (UDP, TCP and TLS). A call to the
 * hotline number reaches the meeting IVR (meeting number, then password); a call to
 * {@code sip:<meeting-number>@...} asks only for the password. Media is Opus, G.722 or G.711 plus
 * RFC 4733 telephone-event over the bridge's plain-RTP legs, SDES-SRTP when offered; SIP INFO
 * (application/dtmf-relay) is the key fallback. Bad requests and unacceptable SDP get SIP error responses; other calls carry on.
 * Thread: JAIN-SIP's listener threads; the IVR and re-registration on its scheduler ("ivr"); dial-out
 * sends and IVR joins on "sip-work"; media on the bridge's loop. The calls we place (dial-out, call back)
 * are {@link DialOut}'s, registration to the PBX {@link Registration}'s, the caller's menu {@link IvrCall}'s.
 */
public final class SipGateway implements SipListener, MeetingService.Dialer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipGateway.class);

    /** Calls whose media is encrypted (SDES-SRTP). */
    public long encryptedCalls() { return calls.values().stream().filter(c -> c.leg.encrypted()).count(); }


    final MeetingService meetings;
    final Bridge bridge;
    final ServerConfig.Sip cfg;
    private SipStack stack;
    SipProvider provider;
    MessageFactory messages;
    HeaderFactory headers;
    AddressFactory addresses;
    final ScheduledExecutorService ivrClock = Executors.newScheduledThreadPool(1, new io.netty.util.concurrent.DefaultThreadFactory("ivr", true));
    /** Calls by SIP dialog (Call-ID and both tags): an in-dialog request must match all three. */
    final Map<DialogKey, Call> calls = new ConcurrentHashMap<>();
    /** What blocks: sending dial-out INVITEs (TCP and TLS connect there) and IVR joins (they wait on the meeting). */
    final java.util.concurrent.ExecutorService sipWork = Executors.newCachedThreadPool(new io.netty.util.concurrent.DefaultThreadFactory("sip-work", true));
    Registration registrar;


    static final class Call {
        final String id;
        final PlainRtpLeg leg;
        /** The dialog (set when answered: our 200, or the callee's); where its requests may come from besides the trusted peers. */
        volatile DialogKey key;
        volatile java.net.InetAddress peer;
        /** An incoming call's INVITE transaction (Timer H). */
        volatile ServerTransaction inviteTx;
        volatile Dialog dialog;
        IvrCall ivr;
        volatile MeetingService.PhoneMember invited;
        volatile MeetingService.PhoneMember callBackFor;
        volatile boolean ended;
        volatile boolean tls, acked;
        /** A dial-out's INVITE (to CANCEL it). */
        volatile ClientTransaction invite;
        /** Our side of the negotiated session (for re-INVITE answers); set when the call is answered. */
        volatile LocalSdp local;
        Call(String id, PlainRtpLeg leg) { this.id = id; this.leg = leg; }
    }

    SipMetrics metrics = new SipMetrics(new io.prometheus.metrics.model.registry.PrometheusRegistry());

    /** Publishes the gateway's metrics in the server's registry. */
    public SipGateway metrics(SipMetrics m) { this.metrics = m; return this; }
    public SipMetrics metrics() { return metrics; }

    final DialOutPolicy dialOutPolicy;
    /** Calls we place: dial-outs and call backs. */
    private final DialOut dialOut;

    public SipGateway(MeetingService meetings, Bridge bridge, ServerConfig.Sip cfg) { this(meetings, bridge, cfg, java.time.Clock.systemUTC()); }

    /** clock: what the dial-out rate limits count on (tests drive it). */
    public SipGateway(MeetingService meetings, Bridge bridge, ServerConfig.Sip cfg, java.time.Clock clock) {
        this.meetings = meetings;
        this.bridge = bridge;
        this.cfg = cfg;
        this.dialOutPolicy = new DialOutPolicy(cfg.dialOut(), clock);
        this.dialOut = new DialOut(this);
    }

    public SipGateway start() throws Exception {
        SipFactory f = SipFactory.getInstance();
        f.setPathName("gov.nist");
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "roundtable-" + System.nanoTime());
        p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "8");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", SipLoggers.Stack.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", SipLoggers.Server.class.getName());
        for (String peer : cfg.trustedPeers()) trustedPeers.addAll(java.util.List.of(java.net.InetAddress.getAllByName(peer)));
        if (cfg.tls().enabled()) SipTls.configure(p, cfg.tls(), cfg.advertisedAddress());
        stack = f.createSipStack(p);
        if (cfg.tls().enabled()) SipTls.restrict(stack);
        messages = f.createMessageFactory();
        headers = f.createHeaderFactory();
        addresses = f.createAddressFactory();
        ListeningPoint udp = stack.createListeningPoint(cfg.bindAddress(), cfg.port(), ListeningPoint.UDP);
        ListeningPoint tcp = stack.createListeningPoint(cfg.bindAddress(), cfg.port(), ListeningPoint.TCP);
        provider = stack.createSipProvider(udp);
        provider.addListeningPoint(tcp);
        if (cfg.tls().enabled()) provider.addListeningPoint(stack.createListeningPoint(cfg.bindAddress(), cfg.tls().port(), ListeningPoint.TLS));
        provider.addSipListener(this);
        registrar = new Registration(provider, messages, headers, addresses, metrics, ivrClock, this::contact, this::via);
        LOG.info("SIP gateway on {}:{} (udp, tcp){}, hotline {}", cfg.bindAddress(), cfg.port(),
                cfg.tls().enabled() ? ", tls on " + cfg.tls().port() : "", cfg.hotline());
        return this;
    }

    /** Our Contact for a dialog that a request opened: the transport it came over (TLS has its own port). */
    private ContactHeader contactFor(Request req, String user) throws Exception {
        javax.sip.header.ViaHeader via = (javax.sip.header.ViaHeader) req.getHeader(javax.sip.header.ViaHeader.NAME);
        return contact(user, via == null ? "udp" : via.getTransport());
    }

    ContactHeader contact(String user, String transport) throws Exception {
        String t = transport.toLowerCase(java.util.Locale.ROOT);
        SipURI contact = addresses.createSipURI(user, cfg.advertisedAddress());
        contact.setPort(localPort(t));
        if (!t.equals("udp")) contact.setTransportParam(t);
        return headers.createContactHeader(addresses.createAddress(contact));
    }

    /** Our port for a transport: TLS has its own. */
    private int localPort(String transport) {
        if (!transport.equalsIgnoreCase("tls")) return cfg.port();
        if (!cfg.tls().enabled()) throw new IllegalStateException("SIP over TLS is off (roundtable.sip.tls.port)");
        return cfg.tls().port();
    }

    javax.sip.header.ViaHeader via(String transport) throws Exception {
        return headers.createViaHeader(cfg.advertisedAddress(), localPort(transport), transport.toLowerCase(java.util.Locale.ROOT), null);
    }

    /** Calls whose signalling came over TLS. */
    public long tlsCalls() { return calls.values().stream().filter(c -> c.tls).count(); }

    public int activeCalls() { return calls.size(); }

    /** The trusted peers' addresses, resolved once at start; empty: anyone. */
    private final java.util.Set<java.net.InetAddress> trustedPeers = new java.util.HashSet<>();

    /** The address the request came from (the packet's or connection's), not what its Via claims. */
    private static java.net.InetAddress peerOf(Request req) {
        return req instanceof gov.nist.javax.sip.message.SIPMessage m ? m.getRemoteAddress() : null;
    }

    /**
     * Every request: an out-of-dialog one (INVITE, OPTIONS, CANCEL) only from a trusted peer (when
     * trusted-peers is set); an in-dialog one (a To tag) only if Call-ID, To tag and From tag match one of
     * our calls (else 481) and it comes from a trusted peer or the call's own peer (a phone we dialled
     * directly). A Call-ID alone opens nothing.
     */
    @Override public void processRequest(RequestEvent ev) {
        Request req = ev.getRequest();
        try {
            String method = req.getMethod();
            java.net.InetAddress peer = peerOf(req);
            boolean trusted = trustedPeers.isEmpty() || trustedPeers.contains(peer);
            DialogKey key = DialogKey.ofRequest(req);
            Call c = key == null ? null : calls.get(key);
            if (c != null && !trusted && !java.util.Objects.equals(peer, c.peer)) c = null;       // the right tags from the wrong host
            if (c == null && !trusted) {
                if (method.equals(Request.ACK)) return;
                metrics.badRequests.labelValues("403").inc();
                respond(ev, Response.FORBIDDEN);
                return;
            }
            boolean inDialog = ((ToHeader) req.getHeader(ToHeader.NAME)).getTag() != null;
            boolean dialogOnly = method.equals(Request.BYE) || method.equals(Request.INFO) || method.equals(Request.ACK);
            if (c == null && (inDialog && !method.equals(Request.CANCEL) || dialogOnly)) {
                if (method.equals(Request.ACK)) return;                          // nothing to acknowledge
                metrics.badRequests.labelValues("481").inc();
                respond(ev, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                return;
            }
            switch (method) {
                case Request.INVITE -> { if (c != null) reinvite(tx(ev), req, c); else invite(ev); }
                case Request.ACK -> c.acked = true;
                case Request.BYE -> bye(ev, c);
                case Request.CANCEL -> respond(ev, Response.OK);
                case Request.OPTIONS -> respond(ev, Response.OK);
                case Request.INFO -> info(ev, c);
                default -> { metrics.badRequests.labelValues("405").inc(); respond(ev, Response.METHOD_NOT_ALLOWED); }
            }
        } catch (Exception e) {
            LOG.warn("SIP {} failed: {}", req.getMethod(), e.toString());
            try { respond(ev, Response.SERVER_INTERNAL_ERROR); } catch (Exception ignored) { /* transaction gone */ }
        }
    }

    private ServerTransaction tx(RequestEvent ev) throws Exception {
        ServerTransaction st = ev.getServerTransaction();
        return st != null ? st : provider.getNewServerTransaction(ev.getRequest());
    }

    private void respond(RequestEvent ev, int code) throws Exception {
        tx(ev).sendResponse(messages.createResponse(code, ev.getRequest()));
    }

    private void invite(RequestEvent ev) throws Exception {
        Request req = ev.getRequest();
        ServerTransaction st = tx(ev);
        String callId = ((CallIdHeader) req.getHeader(CallIdHeader.NAME)).getCallId();
        if (calls.size() + dialOut.pending() >= cfg.maxCalls()) {
            metrics.calls.labelValues("in", "rejected").inc();
            metrics.badRequests.labelValues("503").inc();
            Response busy = messages.createResponse(Response.SERVICE_UNAVAILABLE, req);
            busy.addHeader(headers.createRetryAfterHeader(30));
            st.sendResponse(busy);
            return;
        }
        st.sendResponse(messages.createResponse(Response.TRYING, req));
        // the offer: Opus, G.722 or G.711, and telephone-event
        byte[] body = req.getRawContent();
        Sdp.Media audio = null;
        Sdp offer;
        String offerText = body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8);
        try {
            offer = Sdp.parse(offerText);
            for (Sdp.Media m : offer.media) if (m.kind.equals("audio") && m.port != 0) { audio = m; break; }
        } catch (Sdp.SdpException e) {
            reject(st, req, Response.NOT_ACCEPTABLE_HERE, "bad SDP: " + e.getMessage());
            return;
        }
        if (audio == null || audio.connection == null) { reject(st, req, Response.NOT_ACCEPTABLE_HERE, "no audio"); return; }
        // Opus, then G.722 (HD voice), then G.711 in the caller's order; the telephone-event at its clock rate
        SipAnswer chosen = SipAnswer.of(offerText, offer, audio);
        Sdp.Codec codec = chosen.codec, event = chosen.event;
        if (codec == null) { reject(st, req, Response.NOT_ACCEPTABLE_HERE, "no common codec (opus, G722, PCMU, PCMA)"); return; }
        AudioCodec.Kind kind = kindOf(codec);
        int pt = codec.pt, eventPt = event == null ? -1 : event.pt;
        String proto = audio.proto == null ? "RTP/AVP" : audio.proto;
        if (!proto.equals("RTP/AVP") && !proto.equals("RTP/SAVP")) { reject(st, req, Response.NOT_ACCEPTABLE_HERE, "unsupported media profile " + proto); return; }
        Sdes.Remote crypto = Sdes.remote(audio);
        if (proto.equals("RTP/SAVP") && crypto == null) { reject(st, req, Response.NOT_ACCEPTABLE_HERE, "SRTP needs " + Sdes.SUITE + " or " + Sdes.SUITE_32); return; }
        PlainRtpLeg leg = new PlainRtpLeg(bridge, pt, eventPt, SipAnswer.clockOf(codec), (s, t, b, o, l) -> { });
        if (chosen.rtcpMux) { leg.start(cfg.bindAddress(), 0); leg.rtcpMux(true); } else leg.startWithRtcp(cfg.bindAddress());
        leg.eventPayloadTypes(chosen.eventPts());        // keys on any telephone-event offered are understood
        leg.rtcpObserver(metrics.rtcpObserver());
        String cryptoAnswer = "";
        if (crypto != null) {
            byte[] local = Sdes.newKey();
            leg.srtp(Sdes.keys(crypto.suite(), local, crypto.key()));
            cryptoAnswer = Sdes.line(crypto.tag(), crypto.suite(), local);
        }
        // one sender: the SDP's address, or (unusable, NAT) the first packet after our answer
        java.net.InetAddress peer = peerOf(req);
        boolean comedia = MediaLatch.comedia(cfg.rtpLatch(), audio.connection, peer);
        if (!comedia) {
            InetSocketAddress sdpAddress = new InetSocketAddress(audio.connection, audio.port);
            if (cfg.rtpLatch().equals("sdp")) leg.remote(sdpAddress); else leg.remoteLearning(sdpAddress);
            if (chosen.remoteRtcp != null && !chosen.rtcpMux) leg.remoteRtcp(chosen.remoteRtcp);
        }
        // answer
        Response ok = messages.createResponse(Response.OK, req);
        String tag = SipIds.tag();
        ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(tag);
        ok.addHeader(contactFor(req, null));
        LocalSdp local = new LocalSdp(cfg.advertisedAddress(), leg.localPort(), proto, SipAnswer.format(codec), SipAnswer.format(event),
                LocalSdp.rtcpLines(chosen.rtcpMux, leg.rtcpLocalPort()), cryptoAnswer);
        String sdp = local.text(LocalSdp.answerDirection(audio.direction));
        ok.setContent(sdp, headers.createContentTypeHeader("application", "sdp"));
        Call call = new Call(callId, leg);
        call.local = local;
        call.tls = "TLS".equalsIgnoreCase(((javax.sip.header.ViaHeader) req.getHeader(javax.sip.header.ViaHeader.NAME)).getTransport());
        call.key = new DialogKey(callId, tag, ((javax.sip.header.FromHeader) req.getHeader(javax.sip.header.FromHeader.NAME)).getTag());
        call.peer = peer;
        call.inviteTx = st;
        calls.put(call.key, call);
        metrics.activeCalls.set(calls.size());
        metrics.calls.labelValues("in", "answered").inc();
        // the IVR owns the leg's keys before the answer goes out: a caller (or PBX) that keys the moment the
        // call is up would otherwise lose its first digits to the placeholder handler
        // who did they call: the hotline, or a meeting number directly
        String user = req.getRequestURI() instanceof SipURI u ? u.getUser() : null;
        String dialled = user == null || user.equals(cfg.hotline()) ? null : user;
        String from = ev.getRequest().getHeader("From").toString();
        String source = CallerId.sourceOf(req, peer, !trustedPeers.isEmpty() && trustedPeers.contains(peer));
        call.ivr = new IvrCall(meetings, leg, kind, pt, eventPt, dialled, source, displayName(from), cfg.ivrIdleSeconds() * 1000L, ivrClock, sipWork, reason -> hangup(call, reason),
                metrics);
        try {
            st.sendResponse(ok);
        } catch (Exception e) {
            call.ivr.close();                // no answer went out: no IVR either
            calls.remove(call.key, call);
            metrics.activeCalls.set(calls.size());
            throw e;
        }
        if (comedia) leg.comedia(null);     // after the answer: no one could latch before it
        call.dialog = st.getDialog();
        // RFC 3261 Timer H: a 200 that is never acknowledged means the caller is gone
        ivrClock.schedule(() -> {
            if (!call.ended && !call.acked) hangup(call, "no ACK from the caller");
        }, 32, java.util.concurrent.TimeUnit.SECONDS);
        LOG.info("call {} from {} to {} ({}, PT {}, events PT {})", callId, source, user, kind, pt, eventPt);
    }

    /**
     * A re-INVITE in a call (hold, a moved media address, a session-timer refresh): the same codec and
     * keys, answered with our SDP (next version); an offerless one gets our SDP as the offer. A bad offer
     * gets 488 and the call carries on as it was.
     */
    private void reinvite(ServerTransaction st, Request req, Call c) throws Exception {
        LocalSdp local = c.local;
        if (local == null) { reject(st, req, Response.REQUEST_PENDING, "the call is not set up yet"); return; }
        String direction = "sendrecv";
        byte[] body = req.getRawContent();
        if (body != null && body.length > 0) {
            Sdp.Media audio = null;
            String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
            Sdp parsed = null;
            try {
                parsed = Sdp.parse(text);
                for (Sdp.Media m : parsed.media)
                    if (m.kind.equals("audio")) { audio = m; break; }
            } catch (Sdp.SdpException e) {
                reject(st, req, Response.NOT_ACCEPTABLE_HERE, "bad SDP: " + e.getMessage());
                return;
            }
            if (audio == null || audio.port == 0 || audio.codec(local.pt) == null) {
                reject(st, req, Response.NOT_ACCEPTABLE_HERE, "the call keeps its codec (payload type " + local.pt + ")");
                return;
            }
            if (c.leg.encrypted()) {
                if (Sdes.remote(audio) == null) { reject(st, req, Response.NOT_ACCEPTABLE_HERE, "the call stays on SRTP"); return; }
            }
            direction = LocalSdp.answerDirection(audio.direction);
            // hold with the RFC 2543 address keeps the latch; a moved address (in the dialog, so the phone's word) moves it
            if (audio.connection != null && !audio.connection.equals("0.0.0.0")) {
                InetSocketAddress moved = new InetSocketAddress(audio.connection, audio.port);
                if (!moved.equals(c.leg.latchedRemote())) {
                    if (MediaLatch.comedia(cfg.rtpLatch(), audio.connection, c.peer)) c.leg.moveToComedia(null);
                    else {
                        c.leg.moveTo(moved);
                        if (!cfg.rtpLatch().equals("sdp")) c.leg.remoteLearning(moved);
                        InetSocketAddress rtcp = SipAnswer.rtcpAddress(text, parsed, audio);
                        if (rtcp != null) c.leg.remoteRtcp(rtcp);
                    }
                }
            }
        }
        c.leg.sending(direction.equals("sendrecv") || direction.equals("sendonly"));   // on hold: nothing to send
        Response ok = messages.createResponse(Response.OK, req);
        ok.addHeader(contactFor(req, null));
        ok.setContent(local.next(direction), headers.createContentTypeHeader("application", "sdp"));
        st.sendResponse(ok);
        LOG.info("call {}: re-INVITE answered ({})", c.id, direction);
    }

    static AudioCodec.Kind kindOf(Sdp.Codec c) {
        if ("OPUS".equals(c.name)) return AudioCodec.Kind.OPUS;
        if (c.pt == 9 || "G722".equals(c.name)) return AudioCodec.Kind.G722;
        if (c.pt == 8 || "PCMA".equals(c.name)) return AudioCodec.Kind.PCMA;
        return AudioCodec.Kind.PCMU;
    }


    private static String displayName(String fromHeader) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]{1,64})\"").matcher(fromHeader);
        if (m.find()) return m.group(1);
        m = java.util.regex.Pattern.compile("sip:([^@;>]{1,64})").matcher(fromHeader);
        return m.find() ? "Phone " + m.group(1) : "Phone";
    }

    private void reject(ServerTransaction st, Request req, int code, String why) throws Exception {
        metrics.badRequests.labelValues(Integer.toString(code)).inc();
        metrics.calls.labelValues("in", "rejected").inc();
        Response r = messages.createResponse(code, req);
        r.addHeader(headers.createWarningHeader("roundtable", 399, why));
        st.sendResponse(r);
    }

    private void bye(RequestEvent ev, Call c) throws Exception {
        respond(ev, Response.OK);
        if (calls.remove(c.key, c)) end(c, "hung up");
    }

    /** SIP INFO key fallback: application/dtmf-relay ("Signal=5") or application/dtmf ("5"). */
    private void info(RequestEvent ev, Call c) throws Exception {
        Request req = ev.getRequest();
        respond(ev, Response.OK);
        byte[] body = req.getRawContent();
        ContentTypeHeader ct = (ContentTypeHeader) req.getHeader(ContentTypeHeader.NAME);
        if (body == null || ct == null) return;
        String text = new String(body, java.nio.charset.StandardCharsets.US_ASCII).trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)signal\\s*=\\s*([0-9*#A-D])").matcher(text);
        String key = m.find() ? m.group(1) : text.length() == 1 ? text : null;
        // to whoever has the leg now (the IVR, then the meeting's in-call codes), as RFC 4733 keys go
        if (key != null) c.leg.key(Character.toUpperCase(key.charAt(0)));
    }

    /** The server ends a call (wrong password three times, removed, meeting ended). */
    void hangup(Call c, String reason) {
        if (c.key == null || !calls.remove(c.key, c)) return;
        try {
            Dialog d = c.dialog;
            if (d != null) {
                Request bye = d.createRequest(Request.BYE);
                ClientTransaction ct = provider.getNewClientTransaction(bye);
                d.sendRequest(ct);
            }
        } catch (Exception e) {
            LOG.debug("BYE failed: {}", e.toString());
        }
        end(c, reason);
    }

    private void end(Call c, String reason) {
        if (c.ended) return;
        c.ended = true;
        if (c.key != null) calls.remove(c.key, c);
        metrics.activeCalls.set(calls.size());
        if (c.ivr != null) {
            c.ivr.close();
            MeetingService.PhoneMember pm = c.ivr.member;
            if (pm != null) meetings.leave(pm.participant().meetingId(), pm.participant(), reason);
        }
        if (c.invited != null) meetings.leave(c.invited.participant().meetingId(), c.invited.participant(), reason);
        if (c.callBackFor != null) meetings.detachCallBack(c.callBackFor.participant().meetingId(), c.callBackFor.participant());
        c.leg.close();
        LOG.info("call {} ended: {}", c.id, reason);
    }

    /** Time from a caller's last password key to joining the meeting, of the latest call that joined. */
    public long lastJoinDelayMs() { return metrics.lastJoinDelayMs; }

    @Override public void processResponse(ResponseEvent ev) {
        Response r = ev.getResponse();
        String method = ((javax.sip.header.CSeqHeader) r.getHeader(javax.sip.header.CSeqHeader.NAME)).getMethod();
        if (method.equals(Request.REGISTER) || method.equals(Request.OPTIONS)) registrar.pbxAnswered();
        try {
            if (method.equals(Request.REGISTER)) registrar.response(ev);
            else if (method.equals(Request.INVITE)) dialOut.response(ev);
        } catch (Exception e) {
            LOG.warn("SIP {} response {} failed: {}", method, r.getStatusCode(), e.toString());
        }
    }

    // ------------------------------------------------------------------ registration and keep-alive (Registration)

    /** Registers to the PBX and keeps the registration alive (see {@link Registration}). */
    public void register(ServerConfig.Registrar reg) { registrar.register(reg); }

    public boolean registered() { return registrar.registered(); }

    // ------------------------------------------------------------------ dial-out

    /**
     * Calls a SIP address or number (through the PBX's proxy when registered) for a meeting; the callee
     * joins the meeting when it answers. The target must be on the allow-list; the meeting's dial-out
     * rate and max-calls apply (SignalingException: target_not_allowed, rate_limited, busy).
     */
    @Override public void dial(String meetingId, String target) throws Exception { dial(meetingId, null, target, null); }

    /** A member's dial-out: the member's rate too. */
    @Override public void dial(String meetingId, String byMember, String target) throws Exception { dial(meetingId, byMember, target, null); }

    /** Call me back: the answered phone carries an existing member's voice. */
    @Override public void callBack(String meetingId, String participantId, String target) throws Exception {
        dial(meetingId, "participant:" + participantId, target, participantId);
    }

    @Override public void callBack(String meetingId, String participantId, String byMember, String target) throws Exception {
        dial(meetingId, byMember, target, participantId);
    }

    private void dial(String meetingId, String byMember, String target, String forParticipant) throws Exception {
        dialOut.dial(meetingId, byMember, target, forParticipant);
    }

    /** Dial-outs in progress (not yet answered or failed). */
    public int pendingDialOuts() { return dialOut.pending(); }

    @Override public void processTimeout(TimeoutEvent ev) {
        if (ev.isServerTransaction()) {
            // our 200 to an INVITE was never acknowledged (Timer H): the caller is gone
            ServerTransaction t = ev.getServerTransaction();
            if (t != null && t.getRequest().getMethod().equals(Request.INVITE))
                for (Call c : calls.values()) if (c.inviteTx == t && !c.acked) hangup(c, "no ACK from the caller");
            return;
        }
        if (ev.getClientTransaction() == null) return;
        Request req = ev.getClientTransaction().getRequest();
        if (req.getMethod().equals(Request.INVITE)) dialOut.failed(((CallIdHeader) req.getHeader(CallIdHeader.NAME)).getCallId(), "no answer (timeout)");
        if (req.getMethod().equals(Request.REGISTER)) registrar.timedOut();
    }

    @Override public void processIOException(IOExceptionEvent ev) {
        LOG.info("SIP transport error to {}:{} ({})", ev.getHost(), ev.getPort(), ev.getTransport());
    }
    @Override public void processTransactionTerminated(TransactionTerminatedEvent ev) { }
    /** JAIN-SIP gave up on a dialog (no ACK, transport failure): its call, if still here, ends. */
    @Override public void processDialogTerminated(DialogTerminatedEvent ev) {
        for (Call c : calls.values()) if (c.dialog == ev.getDialog()) end(c, "the SIP dialog ended");
    }

    @Override public void close() {
        for (Call c : calls.values()) hangup(c, "server shutting down");
        ivrClock.shutdownNow();
        sipWork.shutdownNow();
        if (stack != null) stack.stop();
    }
}
