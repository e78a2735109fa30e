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
import org.roundtable.signaling.meeting.MeetingService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP gateway (JAIN-SIP): accepts calls from the company PBX's trunk (UDP and TCP). A call to the
 * hotline number reaches the meeting IVR (meeting number, then password); a call to
 * {@code sip:<meeting-number>@...} asks only for the password. Media is G.711 (PCMU/PCMA) plus
 * RFC 4733 telephone-event over the bridge's plain-RTP legs; SIP INFO (application/dtmf-relay) is the
 * key fallback. Bad requests and unacceptable SDP get SIP error responses; other calls carry on.
 * Thread: JAIN-SIP's listener threads; the IVR on its scheduler; media on the bridge's loop.
 */
public final class SipGateway implements SipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipGateway.class);

    public record Config(String bindAddress, int port, String advertisedAddress, String hotline) {}

    private final MeetingService meetings;
    private final Bridge bridge;
    private final Config cfg;
    private SipStack stack;
    private SipProvider provider;
    private MessageFactory messages;
    private HeaderFactory headers;
    private AddressFactory addresses;
    private final ScheduledExecutorService ivrClock = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "ivr");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Call> calls = new ConcurrentHashMap<>();

    private final class Call {
        final String id;
        final PlainRtpLeg leg;
        volatile Dialog dialog;
        IvrCall ivr;
        volatile boolean ended;
        Call(String id, PlainRtpLeg leg) { this.id = id; this.leg = leg; }
    }

    public SipGateway(MeetingService meetings, Bridge bridge, Config cfg) {
        this.meetings = meetings;
        this.bridge = bridge;
        this.cfg = cfg;
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
        stack = f.createSipStack(p);
        messages = f.createMessageFactory();
        headers = f.createHeaderFactory();
        addresses = f.createAddressFactory();
        ListeningPoint udp = stack.createListeningPoint(cfg.bindAddress(), cfg.port(), ListeningPoint.UDP);
        ListeningPoint tcp = stack.createListeningPoint(cfg.bindAddress(), cfg.port(), ListeningPoint.TCP);
        provider = stack.createSipProvider(udp);
        provider.addListeningPoint(tcp);
        provider.addSipListener(this);
        LOG.info("SIP gateway on {}:{} (udp, tcp), hotline {}", cfg.bindAddress(), cfg.port(), cfg.hotline());
        return this;
    }

    public int activeCalls() { return calls.size(); }

    @Override public void processRequest(RequestEvent ev) {
        Request req = ev.getRequest();
        try {
            switch (req.getMethod()) {
                case Request.INVITE -> invite(ev);
                case Request.ACK -> { }
                case Request.BYE -> bye(ev);
                case Request.CANCEL -> respond(ev, Response.OK);
                case Request.OPTIONS -> respond(ev, Response.OK);
                case Request.INFO -> info(ev);
                default -> respond(ev, Response.METHOD_NOT_ALLOWED);
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
        if (calls.containsKey(callId)) { st.sendResponse(messages.createResponse(Response.OK, req)); return; } // re-INVITE: keep media as is
        st.sendResponse(messages.createResponse(Response.TRYING, req));
        // the offer: G.711 and telephone-event
        byte[] body = req.getRawContent();
        Sdp.Media audio = null;
        Sdp offer;
        try {
            offer = Sdp.parse(body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8));
            for (Sdp.Media m : offer.media) if (m.kind.equals("audio") && m.port != 0) { audio = m; break; }
        } catch (Sdp.SdpException e) {
            reject(st, req, Response.NOT_ACCEPTABLE_HERE, "bad SDP: " + e.getMessage());
            return;
        }
        if (audio == null || audio.connection == null) { reject(st, req, Response.NOT_ACCEPTABLE_HERE, "no audio"); return; }
        Sdp.Codec codec = null, event = null;
        for (Sdp.Codec c : audio.codecs) {
            String name = c.name != null ? c.name : c.pt == 0 ? "PCMU" : c.pt == 8 ? "PCMA" : null;
            if (codec == null && ("PCMU".equals(name) || "PCMA".equals(name))) { codec = c; if (c.name == null) c.name = name; }
            if ("TELEPHONE-EVENT".equals(c.name) && event == null) event = c;
        }
        if (codec == null) { reject(st, req, Response.NOT_ACCEPTABLE_HERE, "no common codec (PCMU, PCMA)"); return; }
        AudioCodec.Kind kind = "PCMA".equals(codec.name) ? AudioCodec.Kind.PCMA : AudioCodec.Kind.PCMU;
        int pt = codec.pt, eventPt = event == null ? -1 : event.pt;
        PlainRtpLeg leg = new PlainRtpLeg(bridge, pt, eventPt, 8000, (s, t, p) -> { }).start(cfg.bindAddress(), 0);
        leg.remote(new InetSocketAddress(audio.connection, audio.port));
        // answer
        Response ok = messages.createResponse(Response.OK, req);
        ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(Long.toHexString(System.nanoTime()));
        SipURI contact = addresses.createSipURI(null, cfg.advertisedAddress());
        contact.setPort(cfg.port());
        ContactHeader ch = headers.createContactHeader(addresses.createAddress(contact));
        ok.addHeader(ch);
        String sdp = "v=0\r\no=roundtable " + (System.nanoTime() & 0xFFFFFFFL) + " 1 IN IP4 " + cfg.advertisedAddress() + "\r\ns=Roundtable\r\n"
                + "c=IN IP4 " + cfg.advertisedAddress() + "\r\nt=0 0\r\nm=audio " + leg.localPort() + " RTP/AVP " + pt + (eventPt >= 0 ? " " + eventPt : "")
                + "\r\na=rtpmap:" + pt + " " + codec.name + "/8000\r\n"
                + (eventPt >= 0 ? "a=rtpmap:" + eventPt + " telephone-event/8000\r\na=fmtp:" + eventPt + " 0-15\r\n" : "")
                + "a=ptime:20\r\na=sendrecv\r\n";
        ok.setContent(sdp, headers.createContentTypeHeader("application", "sdp"));
        Call call = new Call(callId, leg);
        calls.put(callId, call);
        st.sendResponse(ok);
        call.dialog = st.getDialog();
        // who did they call: the hotline, or a meeting number directly
        String user = req.getRequestURI() instanceof SipURI u ? u.getUser() : null;
        String dialled = user == null || user.equals(cfg.hotline()) ? null : user;
        String from = ev.getRequest().getHeader("From").toString();
        String source = sourceOf(req);
        call.ivr = new IvrCall(meetings, leg, kind, pt, eventPt, dialled, source, displayName(from), ivrClock, reason -> hangup(call, reason));
        LOG.info("call {} from {} to {} ({}, PT {}, events PT {})", callId, source, user, kind, pt, eventPt);
    }

    private static String sourceOf(Request req) {
        javax.sip.header.ViaHeader via = (javax.sip.header.ViaHeader) req.getHeader(javax.sip.header.ViaHeader.NAME);
        return via == null ? "sip" : "sip:" + (via.getReceived() != null ? via.getReceived() : via.getHost());
    }

    private static String displayName(String fromHeader) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]{1,64})\"").matcher(fromHeader);
        if (m.find()) return m.group(1);
        m = java.util.regex.Pattern.compile("sip:([^@;>]{1,64})").matcher(fromHeader);
        return m.find() ? "Phone " + m.group(1) : "Phone";
    }

    private void reject(ServerTransaction st, Request req, int code, String why) throws Exception {
        Response r = messages.createResponse(code, req);
        r.addHeader(headers.createWarningHeader("roundtable", 399, why));
        st.sendResponse(r);
    }

    private void bye(RequestEvent ev) throws Exception {
        respond(ev, Response.OK);
        String callId = ((CallIdHeader) ev.getRequest().getHeader(CallIdHeader.NAME)).getCallId();
        Call c = calls.remove(callId);
        if (c != null) end(c, "hung up");
    }

    /** SIP INFO key fallback: application/dtmf-relay ("Signal=5") or application/dtmf ("5"). */
    private void info(RequestEvent ev) throws Exception {
        Request req = ev.getRequest();
        respond(ev, Response.OK);
        Call c = calls.get(((CallIdHeader) req.getHeader(CallIdHeader.NAME)).getCallId());
        byte[] body = req.getRawContent();
        ContentTypeHeader ct = (ContentTypeHeader) req.getHeader(ContentTypeHeader.NAME);
        if (c == null || body == null || ct == null || c.ivr == null) return;
        String text = new String(body, java.nio.charset.StandardCharsets.US_ASCII).trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)signal\\s*=\\s*([0-9*#A-D])").matcher(text);
        String key = m.find() ? m.group(1) : text.length() == 1 ? text : null;
        if (key != null) c.ivr.key(key.charAt(0));
    }

    /** The server ends a call (wrong password three times, removed, meeting ended). */
    private void hangup(Call c, String reason) {
        if (calls.remove(c.id) == null) return;
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
        if (c.ivr != null) {
            c.ivr.close();
            MeetingService.PhoneMember pm = c.ivr.member;
            if (pm != null) meetings.leave(pm.participant().meetingId(), pm.participant(), reason);
        }
        c.leg.close();
        LOG.info("call {} ended: {}", c.id, reason);
    }

    private volatile long lastJoinDelayMs = -1;

    /** Time from a caller's last password key to joining the meeting, of the latest call that joined. */
    public long lastJoinDelayMs() {
        for (Call c : calls.values()) if (c.ivr != null && c.ivr.joinedAfterMs >= 0) lastJoinDelayMs = c.ivr.joinedAfterMs;
        return lastJoinDelayMs;
    }

    @Override public void processResponse(ResponseEvent ev) { }
    @Override public void processTimeout(TimeoutEvent ev) { }
    @Override public void processIOException(IOExceptionEvent ev) { }
    @Override public void processTransactionTerminated(TransactionTerminatedEvent ev) { }
    @Override public void processDialogTerminated(DialogTerminatedEvent ev) { }

    @Override public void close() {
        for (Call c : calls.values()) hangup(c, "server shutting down");
        ivrClock.shutdownNow();
        if (stack != null) stack.stop();
    }
}
