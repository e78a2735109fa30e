package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;

/**
 * What enterprise gateways (Skype for Business and the like) need: SIP over TLS with SDES-SRTP media.
 * A baresip phone with mandatory SRTP calls a meeting number over TLS, keys the password, and it and a
 * Chromium member hear each other.
 */
class SipTlsTest {
    @Test
    void phoneCallsAMeetingOverTlsWithSrtp() throws Exception {
        E2e.skipUnlessE2e();
        Baresip.requireNamespace();
        int tlsPort = E2e.freeTcpPort();
        try (RoundtableServer server = E2e.sipServer(s -> s.withTls(new ServerConfig.Tls(tlsPort, "", ""))); Browser b = new Browser();
             Baresip phone = new Baresip("\"Carol\" <sip:carol@127.0.0.2>;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU,PCMA",
                     "127.0.0.2:" + E2e.freeUdpPort(), "srtp.so")) {
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
        }
    }
}
