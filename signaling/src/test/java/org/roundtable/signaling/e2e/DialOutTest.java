package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.auth.Jwt;

/**
 * The gateway registers to the PBX (kamailio, digest authentication) and a host with the dial_out
 * permission calls a baresip phone registered there into the meeting: it answers and the browser hears
 * it. Needs the test namespace (ops/test.sh): baresip needs its 127.0.0.2 veth, and kamailio port 5060.
 */
class DialOutTest {
    /** The test PBX (kamailio) and a baresip phone "bob" registered there. */
    static final class Pbx implements AutoCloseable {
        final Kamailio kamailio;
        final Baresip bob;

        /** bobParams: bob's account parameters (codecs, media encryption); modules: more baresip modules to load. */
        Pbx(String bobParams, String... modules) throws Exception {
            kamailio = new Kamailio();
            bob = new Baresip("<sip:bob@127.0.0.1>;regint=300;" + (bobParams.contains("answermode") ? "" : "answermode=auto;") + bobParams, "127.0.0.1:5080", "", modules);
            assertTrue(waitFor(15_000, () -> bob.logs("200 OK")), "bob registered at the PBX");
        }

        @Override public void close() throws Exception {
            bob.close();
            kamailio.close();
        }
    }

    static RoundtableServer server() throws Exception { return server(false); }

    static RoundtableServer server(boolean offerSrtp) throws Exception { return server(s -> s.withOfferSrtp(offerSrtp)); }

    static RoundtableServer server(java.util.function.UnaryOperator<ServerConfig.Sip> sip) throws Exception {
        // bob, as the tests dial him, is on the allow-list (the default allows only extensions)
        RoundtableServer server = E2e.sipServer(s -> sip.apply(s).withDialOutAllowed("^sip:bob@127\\.0\\.0\\.1$"));
        server.sip.register(new ServerConfig.Registrar("127.0.0.1", 5060, "udp", "roundtable", "trunk-secret", 300, 30));
        return server;
    }

    @Test
    void hostDialsABaresipPhoneThroughThePbx() throws Exception {
        E2e.skipUnlessE2e();
        try (Pbx pbx = new Pbx("audio_codecs=G722/16000/1,PCMA,PCMU"); RoundtableServer server = server(); Browser b = new Browser()) {
            String ann = dialBob(pbx, server, b, "dialout");
            String bobId = (String) E2e.member(b, ann, "bob").get("id");
            assertTrue(server.bridge.conference("dialout").sources().stream()
                    .anyMatch(x -> x.ownerId.equals(bobId) && x.codec == org.roundtable.bridge.rtp.Keyframes.Codec.G722),
                    "HD voice: G.722 negotiated with bob, and the browser decodes it as it is");
            assertEquals(0, server.sip.encryptedCalls());
        }
    }

    /** roundtable.sip.offer-srtp: the dial-out offers SDES-SRTP only (RTP/SAVP + a=crypto); a phone with mandatory SRTP answers. */
    @Test
    void dialOutWithSdesSrtp() throws Exception {
        E2e.skipUnlessE2e();
        try (Pbx pbx = new Pbx("audio_codecs=PCMU,PCMA;mediaenc=srtp-mand", "srtp.so"); RoundtableServer server = server(true); Browser b = new Browser()) {
            dialBob(pbx, server, b, "dialout-srtp");
            assertEquals(1, server.sip.encryptedCalls(), "the call's media is SRTP");
            assertTrue(pbx.bob.logs("SRTP is Enabled \\(cryptosuite=AES_CM_128_HMAC_SHA1_80\\)"), "bob encrypts too: " + pbx.bob.log());
            assertEquals(0.0, E2e.metric(server, "roundtable_packets_dropped_total{reason=\"srtp_auth\"}"), "every packet from bob authenticated");
        }
    }

    /** A phone that rings and rings: the dial-out is cancelled after the dial timeout, and the host is told. */
    @Test
    void unansweredDialOutIsCancelled() throws Exception {
        E2e.skipUnlessE2e();
        try (Pbx pbx = new Pbx("audio_codecs=PCMU;answermode=manual"); RoundtableServer server = server(s -> s.withDialTimeoutSeconds(3));
             Browser b = new Browser()) {
            assertTrue(waitFor(10_000, () -> server.sip.registered()));
            String ann = SipTlsTest.joinWithDialOut(b, server, "dialout-unanswered");
            b.js(ann, "window.failures = []; window.roundtable.on('dialOutFailed', e => window.failures.push(e.target + ': ' + e.reason));");
            SipTlsTest.dialOut(b, ann, "sip:bob@127.0.0.1");
            assertTrue(waitFor(5_000, () -> pbx.bob.logs("(?i)incoming call")), "bob's phone rings: " + pbx.bob.log());
            assertTrue(waitFor(8_000, () -> String.valueOf(b.js(ann, "return window.failures.join();")).contains("no answer within 3 s")),
                    "the host is told nobody answered: " + b.js(ann, "return window.failures.join();"));
            assertEquals(0, server.sip.pendingDialOuts());
            assertTrue(waitFor(5_000, () -> pbx.bob.logs("(?i)(cancel|terminated|closed)")), "bob's phone stops ringing: " + pbx.bob.log());
            assertEquals(0, server.sip.activeCalls());
        }
    }

    /** A host with dial_out calls bob into the meeting: the browser hears bob (packets and level) and bob hears the meeting. */
    /** A token with the dial_out permission (dialOut, and callMeBack by default). */
    static String dialOutToken(String sub, String name) {
        return Jwt.signHs256(ServerConfig.TEST_SECRET, "{\"sub\":\"" + sub + "\",\"name\":\"" + name + "\",\"exp\":" + (System.currentTimeMillis() / 1000 + 3600)
                + ",\"permissions\":[\"dial_out\"]}");
    }

    static String dialBob(Pbx pbx, RoundtableServer server, Browser b, String meeting) throws Exception {
        assertTrue(waitFor(10_000, () -> server.sip.registered()), "the gateway registered (digest): " + pbx.kamailio.log());
        String token = dialOutToken("ann", "Ann");
        String ann = b.open(server.url() + "?meeting=" + meeting + "&autojoin=1&name=Ann&token=" + token);
        assertTrue(waitFor(20_000, () -> "joined".equals(b.state(ann))));
        String r = (String) b.jsAsync(ann, "const cb = arguments[arguments.length-1]; window.roundtable.dialOut('sip:bob@127.0.0.1').then(() => cb('ok'), e => cb(e.code || String(e)));");
        assertEquals("ok", r);
        assertTrue(waitFor(20_000, () -> E2e.hears(b, ann, "bob", 50)), "bob answered and the meeting hears him: " + b.stats(ann)
                + " srtp_auth drops " + E2e.metric(server, "roundtable_packets_dropped_total{reason=\"srtp_auth\"}")
                + ", audio in " + E2e.metric(server, "roundtable_packets_total{direction=\"in\",type=\"audio\"}") + "\n" + pbx.bob.log());
        assertTrue(E2e.energy(E2e.statsOf(b, ann, "bob")) > 0, "bob's tone, not silence");
        assertEquals("sip", E2e.member(b, ann, "bob").get("kind"));
        assertTrue(waitFor(10_000, pbx.bob::receivesAudio), "bob receives the meeting's audio");
        return ann;
    }

    @Test
    void memberIsCalledBackAndThePhoneCarriesTheirVoice() throws Exception {
        E2e.skipUnlessE2e();
        // this phone prefers Opus (the first test's prefers G.722)
        try (Pbx pbx = new Pbx("audio_codecs=opus/48000/2,PCMA", "opus.so"); RoundtableServer server = server(); Browser b = new Browser()) {
            assertTrue(waitFor(10_000, () -> server.sip.registered()));
            String ann = b.open(server.url() + "?meeting=callback&autojoin=1&name=Ann&token=" + dialOutToken("ann", "Ann"));
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(ann))));
            String ben = b.open(server.url() + "?meeting=callback&autojoin=1&name=Ben");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(ben))));
            String annId = (String) b.js(ann, "return window.roundtable.id;");
            String r = (String) b.jsAsync(ann, "const cb = arguments[arguments.length-1]; window.roundtable.callMeBack('sip:bob@127.0.0.1').then(() => cb('ok'), e => cb(e.code || String(e)));");
            assertEquals("ok", r);
            assertTrue(waitFor(20_000, () -> Boolean.TRUE.equals(E2e.member(b, ben, "Ann").get("phone"))), "Ann's voice now comes from her phone");
            var conf = server.bridge.conference("callback");
            assertTrue(waitFor(5_000, () -> conf.sources().stream().anyMatch(x -> x.ownerId.equals(annId) && x.id.endsWith("-audio-phone"))),
                    "the phone's audio is published as Ann's");
            assertTrue(conf.sources().stream().anyMatch(x -> x.ownerId.equals(annId) && x.id.endsWith("-audio-phone")
                    && x.codec == org.roundtable.bridge.rtp.Keyframes.Codec.OPUS), "Opus negotiated with the phone");
            assertTrue(waitFor(5_000, () -> conf.sources().stream().anyMatch(x -> x.ownerId.equals(annId) && x.kind == org.roundtable.bridge.router.MediaKind.AUDIO
                    && !x.id.endsWith("-audio-phone") && x.paused())), "Ann's browser microphone is no longer forwarded");
            long before = E2e.audio(E2e.statsOf(b, ben, "Ann"));
            assertTrue(waitFor(10_000, () -> E2e.audio(E2e.statsOf(b, ben, "Ann")) > before + 50), "Ben keeps hearing Ann, through her phone");
            assertEquals("host", E2e.member(b, ben, "Ann").get("role"), "identity and role stay");
            assertNull(E2e.member(b, ben, "bob"), "no new member: the phone is Ann");
            // Ann leaves: the server hangs up her phone
            b.js(ann, "window.roundtable.leave();");
            assertTrue(waitFor(10_000, () -> server.sip.activeCalls() == 0), "the call back ends with the member");
        }
    }
}
