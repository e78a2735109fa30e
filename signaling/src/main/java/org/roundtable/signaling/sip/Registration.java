package org.roundtable.signaling.sip;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import javax.sip.ResponseEvent;
import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.roundtable.signaling.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's registration to the PBX (the registrar) and its OPTIONS keep-alive, split out of
 * {@link SipGateway}: digest authentication (RFC 2617, qop=auth), re-registration before expiry, lost
 * and renewed registrations. Its Call-ID, tag and cnonces are random ({@link SipIds}). Thread: the
 * gateway's scheduler and JAIN-SIP's listener threads (state is volatile).
 */
final class Registration {
    private static final Logger LOG = LoggerFactory.getLogger(Registration.class);

    interface Contacts { ContactHeader contact(String user, String transport) throws Exception; }
    interface Vias { ViaHeader via(String transport) throws Exception; }

    private final SipProvider provider;
    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final AddressFactory addresses;
    private final SipMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final Contacts contacts;
    private final Vias vias;
    private volatile ServerConfig.Registrar registration;
    private volatile boolean registered;
    private volatile long registerCseq = 1, lastPbxAnswerMs, retryAtMs;
    private volatile ScheduledFuture<?> refresh;
    private final String registerCallId = SipIds.callId("reg-"), registerTag = SipIds.tag();

    Registration(SipProvider provider, MessageFactory messages, HeaderFactory headers, AddressFactory addresses, SipMetrics metrics,
                 ScheduledExecutorService scheduler, Contacts contacts, Vias vias) {
        this.provider = provider;
        this.messages = messages;
        this.headers = headers;
        this.addresses = addresses;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.contacts = contacts;
        this.vias = vias;
    }

    private ContactHeader contact(String user, String transport) throws Exception { return contacts.contact(user, transport); }
    private ViaHeader via(String transport) throws Exception { return vias.via(transport); }


    /**
     * Registers to the PBX (digest authentication when challenged) and re-registers before expiry. Every
     * keepaliveSeconds it checks the PBX with OPTIONS (any answer will do): when the PBX has been silent
     * for 2.5 periods the registration is marked lost, and it is renewed as soon as the PBX answers again
     * (a restarted PBX has forgotten us). A refused or unanswered registration is retried. The loop runs
     * on the gateway's scheduler.
     */
    void register(ServerConfig.Registrar reg) {
        this.registration = reg;
        lastPbxAnswerMs = System.currentTimeMillis();
        retryAtMs = 0;
        int period = reg.keepaliveSeconds() > 0 ? reg.keepaliveSeconds() : 30;
        scheduler.execute(this::registrationLoop);
        scheduler.scheduleAtFixedRate(this::registrationLoop, period, period, java.util.concurrent.TimeUnit.SECONDS);
    }

    boolean registered() { return registered; }

    /** The registration (null: none): where dial-outs go. */
    ServerConfig.Registrar registration() { return registration; }

    /** Any answer from the PBX (REGISTER, OPTIONS) shows it is alive. */
    void pbxAnswered() { lastPbxAnswerMs = System.currentTimeMillis(); }

    /** The REGISTER went unanswered: lost, and retried at once on the next round. */
    void timedOut() { registrationLost("the registrar did not answer"); retryAtMs = 0; }

    /** On the scheduler: (re)register when due; otherwise the keep-alive. */
    private void registrationLoop() {
        ServerConfig.Registrar reg = registration;
        long now = System.currentTimeMillis();
        try {
            if (!registered) {
                if (now >= retryAtMs) { retryAtMs = now + 1000L * (reg.keepaliveSeconds() > 0 ? reg.keepaliveSeconds() : 30); sendRegister(null); }
            } else if (reg.keepaliveSeconds() > 0) {
                if (now - lastPbxAnswerMs > 2_500L * reg.keepaliveSeconds()) {
                    registrationLost("the PBX has not answered for " + (now - lastPbxAnswerMs) / 1000 + " s");
                    retryAtMs = 0;
                } else {
                    sendOptions(reg);
                }
            }
        } catch (Exception e) {
            LOG.warn("registration to {} failed: {}", reg.host(), e.toString());
        }
    }

    private void registrationLost(String why) {
        if (registered) LOG.warn("registration to {} lost: {}", registration.host(), why);
        registered = false;
        metrics.registered.set(0);
    }

    private SipURI registrarUri(ServerConfig.Registrar reg) throws Exception {
        SipURI registrar = addresses.createSipURI(null, reg.host());
        registrar.setPort(reg.port());
        if (!reg.transport().equals("udp")) registrar.setTransportParam(reg.transport());
        return registrar;
    }

    private void sendRegister(javax.sip.header.WWWAuthenticateHeader challenge) throws Exception {
        ServerConfig.Registrar reg = registration;
        SipURI registrar = registrarUri(reg);
        javax.sip.address.Address aorAddr = addresses.createAddress(addresses.createSipURI(reg.user(), reg.host()));
        Request req = messages.createRequest(registrar, Request.REGISTER,
                headers.createCallIdHeader(registerCallId), headers.createCSeqHeader(registerCseq++, Request.REGISTER),
                headers.createFromHeader(aorAddr, registerTag), headers.createToHeader(aorAddr, null),
                java.util.List.of(via(reg.transport())), headers.createMaxForwardsHeader(70));
        req.addHeader(contact(reg.user(), reg.transport()));
        req.addHeader(headers.createExpiresHeader(reg.expiresSeconds()));
        if (challenge != null) req.addHeader(authorization(challenge, Request.REGISTER, registrar.toString(), reg));
        provider.getNewClientTransaction(req).sendRequest();
    }

    /** The keep-alive: an out-of-dialog OPTIONS to the registrar. */
    private void sendOptions(ServerConfig.Registrar reg) throws Exception {
        javax.sip.address.Address aorAddr = addresses.createAddress(addresses.createSipURI(reg.user(), reg.host()));
        Request req = messages.createRequest(registrarUri(reg), Request.OPTIONS,
                headers.createCallIdHeader(SipIds.callId("ka-")), headers.createCSeqHeader(1L, Request.OPTIONS),
                headers.createFromHeader(aorAddr, SipIds.tag()), headers.createToHeader(aorAddr, null),
                java.util.List.of(via(reg.transport())), headers.createMaxForwardsHeader(70));
        provider.getNewClientTransaction(req).sendRequest();
    }

    void response(ResponseEvent ev) throws Exception {
        Response r = ev.getResponse();
        int code = r.getStatusCode();
        ServerConfig.Registrar reg = registration;
        if (code == Response.UNAUTHORIZED || code == Response.PROXY_AUTHENTICATION_REQUIRED) {
            javax.sip.header.WWWAuthenticateHeader ch = (javax.sip.header.WWWAuthenticateHeader) r.getHeader(
                    code == Response.UNAUTHORIZED ? javax.sip.header.WWWAuthenticateHeader.NAME : javax.sip.header.ProxyAuthenticateHeader.NAME);
            javax.sip.header.AuthorizationHeader sent = (javax.sip.header.AuthorizationHeader) ev.getClientTransaction().getRequest()
                    .getHeader(javax.sip.header.AuthorizationHeader.NAME);
            if (ch == null || sent != null && !"true".equalsIgnoreCase(ch.getParameter("stale"))) {
                LOG.warn("registration to {} refused: wrong credentials", reg.host());
                registrationLost("wrong credentials");
                retryAtMs = System.currentTimeMillis() + 300_000;   // do not hammer the PBX with a bad password
                return;
            }
            sendRegister(ch);
        } else if (code >= 200 && code < 300) {
            if (!registered) LOG.info("registered to {} as {} over {}", reg.host(), reg.user(), reg.transport());
            registered = true;
            metrics.registered.set(1);
            ScheduledFuture<?> previous = refresh;
            if (previous != null) previous.cancel(false);
            refresh = scheduler.schedule(() -> {
                try { sendRegister(null); } catch (Exception e) { LOG.warn("re-register failed: {}", e.toString()); }
            }, Math.max(5, (long) (reg.expiresSeconds() * 0.8)), java.util.concurrent.TimeUnit.SECONDS);
        } else if (code >= 300) {
            LOG.warn("registration refused: {} {}", code, r.getReasonPhrase());
            registrationLost(code + " " + r.getReasonPhrase());
            retryAtMs = System.currentTimeMillis() + 30_000;
        }
    }

    /** RFC 2617 / RFC 3261 digest (MD5, qop=auth when offered). */
    private javax.sip.header.AuthorizationHeader authorization(javax.sip.header.WWWAuthenticateHeader ch, String method, String uri,
                                                              ServerConfig.Registrar reg) throws Exception {
        String realm = ch.getRealm(), nonce = ch.getNonce(), qop = ch.getQop();
        String ha1 = md5(reg.user() + ":" + realm + ":" + reg.password()), ha2 = md5(method + ":" + uri);
        String cnonce = SipIds.hex(8), nc = "00000001";
        boolean auth = qop != null && java.util.Arrays.asList(qop.split(",")).stream().anyMatch(q -> q.trim().equals("auth"));
        String response = auth ? md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2) : md5(ha1 + ":" + nonce + ":" + ha2);
        javax.sip.header.AuthorizationHeader a = ch instanceof javax.sip.header.ProxyAuthenticateHeader
                ? headers.createProxyAuthorizationHeader("Digest") : headers.createAuthorizationHeader("Digest");
        a.setUsername(reg.user());
        a.setRealm(realm);
        a.setNonce(nonce);
        a.setURI(addresses.createURI(uri));
        a.setResponse(response);
        a.setAlgorithm("MD5");
        if (ch.getOpaque() != null) a.setOpaque(ch.getOpaque());
        if (auth) { a.setQop("auth"); a.setCNonce(cnonce); a.setNonceCount(1); }
        return a;
    }

    private static String md5(String s) throws Exception {
        byte[] d = java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder();
        for (byte b : d) sb.append(String.format("%02x", b));
        return sb.toString();
    }
}
