package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;

/**
 * The gateway's registration follows the PBX (kamailio): it registers once the PBX comes up, notices
 * when the PBX stops answering its keep-alives, and registers again (with digest) to a restarted PBX.
 */
class RegistrationTest {
    static final String REGISTERED = "roundtable_sip_registered";

    @Test
    void registrationFollowsThePbx() throws Exception {
        E2e.skipUnlessE2e();
        Baresip.requireNamespace();
        try (RoundtableServer server = E2e.sipServer()) {
            server.sip.register(new ServerConfig.Registrar("127.0.0.1", 5060, "udp", "roundtable", "trunk-secret", 300, 1));
            Thread.sleep(2000);
            assertFalse(server.sip.registered(), "no PBX yet");
            assertEquals(0.0, E2e.metric(server, REGISTERED));
            try (Kamailio pbx = new Kamailio()) {
                assertTrue(waitFor(10_000, () -> server.sip.registered()), "registered once the PBX is up: " + pbx.log());
                assertEquals(1.0, E2e.metric(server, REGISTERED));
                Thread.sleep(2500);
                assertTrue(pbx.log().split("REQ OPTIONS", -1).length - 1 >= 2, "keep-alives reach the PBX: " + pbx.log());
            }
            long down = System.currentTimeMillis();
            assertTrue(waitFor(10_000, () -> !server.sip.registered()), "the registration is lost when the PBX stops answering");
            System.out.printf("[e2e] PBX gone: registration marked lost after %d ms%n", System.currentTimeMillis() - down);
            assertEquals(0.0, E2e.metric(server, REGISTERED));
            long up = System.currentTimeMillis();
            try (Kamailio restarted = new Kamailio()) {
                assertTrue(waitFor(10_000, () -> server.sip.registered()), "registered again to the restarted PBX: " + restarted.log());
                System.out.printf("[e2e] PBX restarted: registered again %d ms after it was started%n", System.currentTimeMillis() - up);
                assertTrue(restarted.log().contains("REQ REGISTER"), "the new PBX has our binding: " + restarted.log());
            }
        }
    }
}
