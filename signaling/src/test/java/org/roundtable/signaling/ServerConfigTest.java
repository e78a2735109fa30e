package org.roundtable.signaling;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import org.junit.jupiter.api.Test;

/** The embedded defaults and the example production file both load, with the SIP TLS settings. */
class ServerConfigTest {
    @Test
    void defaultsAndTheProductionExampleLoad() {
        ServerConfig d = ServerConfig.load(null, null, null);
        assertEquals(5061, d.sip().tls().port());
        assertTrue(d.sip().tls().enabled());
        assertEquals("", d.sip().tls().keystore(), "self-signed unless configured");
        assertFalse(d.sip().offerSrtp());

        File prod = new File("../ops/production.conf");
        ServerConfig p = ServerConfig.load(prod.getPath(), null, null);
        assertEquals("/etc/roundtable/sip.p12", p.sip().tls().keystore());
        assertTrue(p.sip().offerSrtp());
        assertFalse(p.openMeetings());
    }
}
