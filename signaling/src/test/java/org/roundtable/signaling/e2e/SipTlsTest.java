package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.signaling.auth.Jwt;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;

/**
 * What enterprise gateways (Skype for Business and the like) need: SIP over TLS with SDES-SRTP media.
 * A baresip phone with mandatory SRTP calls a meeting number over TLS, keys the password, and it and a
 * Chromium member hear each other; and the gateway dials a phone over TLS (with SRTP) only when it
 * trusts the phone's certificate.
 */
class SipTlsTest {
    @Test
    void phoneCallsAMeetingOverTlsWithSrtp() throws Exception {
        E2e.skipUnlessE2e();
        Baresip.requireNamespace();
        int tlsPort = E2e.freeTcpPort();
        try (RoundtableServer server = E2e.sipServer(s -> s.withDialOutAllowed("^sip:bob@127\\.0\\.0\\.[12](:[0-9]+)?(;transport=tls)?$").withTls(new ServerConfig.Tls(tlsPort))); Browser b = new Browser();
             Baresip phone = new Baresip("\"Carol\" <sip:carol@127.0.0.2>;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU,PCMA",
                     "127.0.0.2:" + E2e.freeUdpPort(), "", "srtp.so")) {
            String ann = b.open(server.url() + "?meeting=777002&autojoin=1&name=Ann");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(ann))));
            phone.command("dial", "sip:777002@127.0.0.1:" + tlsPort + ";transport=tls");
            assertTrue(waitFor(15_000, () -> server.sip.activeCalls() == 1), "the call arrived over TLS: " + phone.log());
            assertEquals(1, server.sip.tlsCalls(), "its signalling is TLS");
            assertEquals(1, server.sip.encryptedCalls(), "its media is SRTP (SDES)");
            assertTrue(waitFor(10_000, () -> phone.logs("(?i)call established")), "carol's call is up: " + phone.log());
            Thread.sleep(1500);   // the password prompt has started
            phone.command("sndcode", "#");   // this open meeting has no password
            assertTrue(waitFor(20_000, () -> E2e.hears(b, ann, "Carol", 50)), "Ann hears Carol: " + b.stats(ann) + "\n" + phone.log());
            assertTrue(E2e.energy(E2e.statsOf(b, ann, "Carol")) > 0, "and not silence");
            assertTrue(waitFor(10_000, phone::receivesAudio), "Carol hears the meeting: " + phone.log());
            assertEquals(0.0, E2e.metric(server, "roundtable_packets_dropped_total{reason=\"srtp_auth\"}"), "every SRTP packet authenticated");
            // its RTCP is SRTCP, and understood (baresip reports every few seconds)
            assertTrue(waitFor(12_000, () -> rtcpIn(server, "sr") + rtcpIn(server, "rr") >= 1), "the phone's SRTCP reports are read");
            assertEquals(0.0, E2e.metric(server, "roundtable_packets_dropped_total{reason=\"srtp_auth\"}"), "every SRTCP packet authenticated");
        }
    }

    @Test
    void dialsOutOverTlsOnlyToAPhoneItTrusts() throws Exception {
        E2e.skipUnlessE2e();
        Baresip.requireNamespace();
        // bob's TLS identity (a PEM with certificate and key, as baresip wants), and a trust store holding it
        Path dir = Files.createTempDirectory("rt-tls");
        Path pem = dir.resolve("bob.pem"), trust = dir.resolve("trust.p12");
        identity("127.0.0.2", pem, trust);

        int bobPort = baresipPorts();   // baresip: SIP on this port, TLS on the next
        String bobTls = "sip:bob@127.0.0.2:" + (bobPort + 1) + ";transport=tls";
        try (Baresip bob = new Baresip("<sip:bob@127.0.0.2>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA;mediaenc=srtp-mand",
                "127.0.0.2:" + bobPort, "sip_certificate\t" + pem, "srtp.so"); Browser b = new Browser()) {
            assertTrue(waitFor(10_000, () -> bob.logs("baresip is ready")), bob.log());
            // 1. the JDK's CAs do not vouch for bob's self-signed certificate: no call
            ServerConfig.Tls jdkCas = new ServerConfig.Tls(E2e.freeTcpPort());
            try (RoundtableServer server = E2e.sipServer(s -> s.withDialOutAllowed("^sip:bob@127\\.0\\.0\\.[12](:[0-9]+)?(;transport=tls)?$").withTls(jdkCas).withOfferSrtp(true))) {
                String ann = joinWithDialOut(b, server, "tls-untrusted");
                b.js(ann, "window.failures = []; window.roundtable.on('dialOutFailed', e => window.failures.push(e.target + ': ' + e.reason));");
                dialOut(b, ann, bobTls);
                assertTrue(waitFor(45_000, () -> server.sip.pendingDialOuts() == 0), "the dial-out gave up");
                assertTrue(waitFor(5_000, () -> String.valueOf(b.js(ann, "return window.failures.join();")).contains("No trusted certificate")),
                        "the host is told why: " + b.js(ann, "return window.failures.join();"));
                assertEquals(1.0, E2e.metric(server, "roundtable_sip_calls_total{direction=\"out\",result=\"failed\"}"), "and was counted as failed");
                assertEquals(0, server.sip.activeCalls());
                assertFalse(bob.logs("(?i)incoming call"), "bob's phone never rang: " + bob.log());
                b.js(ann, "window.roundtable.leave();");
            }
            // 2. with bob's certificate in the trust store: bob answers over TLS, with SRTP, and the meeting hears him
            ServerConfig.Tls trusting = new ServerConfig.Tls(E2e.freeTcpPort(), "", "", trust.toString(), "trust-pw");
            try (RoundtableServer server = E2e.sipServer(s -> s.withDialOutAllowed("^sip:bob@127\\.0\\.0\\.[12](:[0-9]+)?(;transport=tls)?$").withTls(trusting).withOfferSrtp(true))) {
                String ann = joinWithDialOut(b, server, "tls-trusted");
                dialOut(b, ann, bobTls);
                assertTrue(waitFor(20_000, () -> E2e.hears(b, ann, "bob", 50)), "bob answered and is heard: " + b.stats(ann) + "\n" + bob.log());
                assertEquals(1, server.sip.tlsCalls(), "signalling over TLS");
                assertEquals(1, server.sip.encryptedCalls(), "media over SRTP");
                assertTrue(waitFor(10_000, bob::receivesAudio), "bob hears the meeting: " + bob.log());
            }
        }
    }

    /**
     * The enterprise set-up: the gateway registers to the PBX over TLS (verifying its certificate) and
     * dials out through it over TLS; the PBX relays to bob's phone, which answers and is heard.
     */
    @Test
    void registersAndDialsOutThroughThePbxOverTls() throws Exception {
        E2e.skipUnlessE2e();
        Baresip.requireNamespace();
        Path dir = Files.createTempDirectory("rt-tls");
        Path pem = dir.resolve("pbx.pem"), trust = dir.resolve("trust.p12");
        identity("127.0.0.1", pem, trust);
        ServerConfig.Tls tls = new ServerConfig.Tls(E2e.freeTcpPort(), "", "", trust.toString(), "trust-pw");
        ServerConfig.Registrar pbxOverTls = new ServerConfig.Registrar("127.0.0.1", 5061, "tls", "roundtable", "trunk-secret", 300, 30);
        try (Kamailio pbx = new Kamailio(pem);
             Baresip bob = new Baresip("<sip:bob@127.0.0.1>;regint=300;answermode=auto;audio_codecs=PCMU", "127.0.0.1:5080", "");
             RoundtableServer server = E2e.sipServer(s -> s.withDialOutAllowed("^sip:bob@127\\.0\\.0\\.[12](:[0-9]+)?(;transport=tls)?$").withTls(tls).withRegistrar(pbxOverTls)); Browser b = new Browser()) {
            assertTrue(waitFor(15_000, () -> bob.logs("200 OK")), "bob registered at the PBX (UDP)");
            assertTrue(waitFor(15_000, () -> server.sip.registered()), "the gateway registered over TLS (the PBX refuses it otherwise): " + pbx.log());
            String ann = joinWithDialOut(b, server, "pbx-tls");
            dialOut(b, ann, "sip:bob@127.0.0.1");
            assertTrue(waitFor(20_000, () -> E2e.hears(b, ann, "bob", 50)), "bob answered and is heard: " + b.stats(ann) + "\n" + pbx.log());
            assertEquals(1, server.sip.tlsCalls(), "the call's signalling to the PBX is TLS");
            assertTrue(waitFor(10_000, bob::receivesAudio), "bob hears the meeting");
        }
    }

    /** Mutual TLS: with verify-clients, a phone presenting a trusted certificate gets through; one without a certificate does not. */
    @Test
    void mutualTlsLetsOnlyTrustedClientsIn() throws Exception {
        E2e.skipUnlessE2e();
        Baresip.requireNamespace();
        Path dir = Files.createTempDirectory("rt-tls");
        Path pem = dir.resolve("carol.pem"), trust = dir.resolve("trust.p12");
        identity("127.0.0.2", pem, trust);
        int tlsPort = E2e.freeTcpPort();
        ServerConfig.Tls mtls = new ServerConfig.Tls(tlsPort, "", "", trust.toString(), "trust-pw", true);
        String meeting = "sip:777003@127.0.0.1:" + tlsPort + ";transport=tls";
        try (RoundtableServer server = E2e.sipServer(s -> s.withDialOutAllowed("^sip:bob@127\\.0\\.0\\.[12](:[0-9]+)?(;transport=tls)?$").withTls(mtls));
             Baresip dave = new Baresip("\"Dave\" <sip:dave@127.0.0.2>;regint=0;audio_codecs=PCMU", "127.0.0.2:" + E2e.freeUdpPort(), "");
             Baresip carol = new Baresip("\"Carol\" <sip:carol@127.0.0.2>;regint=0;audio_codecs=PCMU", "127.0.0.2:" + E2e.freeUdpPort(),
                     "sip_certificate\t" + pem)) {
            assertTrue(waitFor(10_000, () -> dave.logs("baresip is ready") && carol.logs("baresip is ready")), dave.log() + carol.log());
            dave.command("dial", meeting);
            Thread.sleep(4000);
            assertEquals(0, server.sip.activeCalls(), "no certificate, no call: " + dave.log());
            carol.command("dial", meeting);
            assertTrue(waitFor(10_000, () -> server.sip.activeCalls() == 1), "carol's trusted certificate gets her in: " + carol.log());
            assertEquals(1, server.sip.tlsCalls());
            assertTrue(waitFor(10_000, () -> carol.logs("(?i)call established")), carol.log());
        }
    }

    /** A self-signed certificate for host: PEM (certificate and key) for kamailio or baresip, and a PKCS#12 trust store holding it. */
    static void identity(String host, Path pem, Path trust) throws Exception {
        SecureRandom rnd = new SecureRandom();
        KeyPair kp = DtlsCertificate.newKeyPair(rnd);
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(DtlsCertificate.selfSigned(kp, host, 2, rnd)));
        var b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes());
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n"
                + "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(kp.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("peer", cert);
        try (var out = Files.newOutputStream(trust)) { ks.store(out, "trust-pw".toCharArray()); }
    }

    /** A port p free for UDP and TCP on 127.0.0.2, with p + 1 free for TCP (baresip's SIP and TLS listeners). */
    static int baresipPorts() throws Exception {
        java.net.InetAddress a = java.net.InetAddress.getByName("127.0.0.2");
        for (int i = 0; i < 50; i++) {
            int p = E2e.freeUdpPort();
            try (var u = new java.net.DatagramSocket(p, a); var t = new java.net.ServerSocket(p, 1, a); var tls = new java.net.ServerSocket(p + 1, 1, a)) {
                return p;
            } catch (java.io.IOException taken) { /* try another */ }
        }
        throw new IllegalStateException("no free port pair on 127.0.0.2");
    }

    static String joinWithDialOut(Browser b, RoundtableServer server, String meeting) throws Exception {
        String token = Jwt.signHs256(ServerConfig.TEST_SECRET, "{\"sub\":\"ann\",\"name\":\"Ann\",\"exp\":" + (System.currentTimeMillis() / 1000 + 3600)
                + ",\"permissions\":[\"dial_out\"]}");
        String ann = b.open(server.url() + "?meeting=" + meeting + "&autojoin=1&name=Ann&token=" + token);
        assertTrue(waitFor(20_000, () -> "joined".equals(b.state(ann))));
        return ann;
    }

    static void dialOut(Browser b, String tab, String target) {
        String r = (String) b.jsAsync(tab, "const cb = arguments[arguments.length-1]; window.roundtable.dialOut('" + target
                + "').then(() => cb('ok'), e => cb(e.code || String(e)));");
        assertEquals("ok", r);
    }

    static double rtcpIn(RoundtableServer server, String type) {
        try {
            return Math.max(0, E2e.metric(server, "roundtable_sip_rtcp_packets_total{direction=\"in\",type=\"" + type + "\"}"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
