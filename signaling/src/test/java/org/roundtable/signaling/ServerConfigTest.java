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
        assertEquals(new org.roundtable.bridge.BridgeConfig.Limits(1000, 5000, 256, 32, 8, 500), d.bridge().limits(), "the bridge's limits are read");
        // each module's reference.conf is merged: the bridge's and the mixer's defaults come from their own jars
        assertEquals(512, d.bridge().tuning().nackCachePackets());
        assertEquals(20000, d.bridge().tuning().warmUpPackets());
        assertEquals(org.roundtable.mixer.MixerConfig.DEFAULTS, d.mixer());

        File prod = new File("../ops/production.conf");
        ServerConfig p = ServerConfig.load(prod.getPath(), null, null);
        assertEquals("/etc/roundtable/sip.p12", p.sip().tls().keystore());
        assertTrue(p.sip().offerSrtp());
        assertFalse(p.openMeetings());
        assertEquals(java.util.List.of(), p.auth().hs256Secrets(), "the production example has no usable secret");
        assertNull(p.checkSecrets(), "and starts");
    }

    /** An operator's file overrides any module's keys; a value out of range is refused with its key. */
    @Test
    void aFileOverridesEveryModulesKeys(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("rt.conf");
        java.nio.file.Files.writeString(f, "roundtable { mixer.speakers = 5, bridge.tuning.nack-cache-packets = 4096, meetings.max-participants = 300 }\n");
        ServerConfig c = ServerConfig.load(f.toString(), null, 20000);
        assertEquals(5, c.mixer().speakers());
        assertEquals(5, c.mixer().opusComplexity(), "the rest stays the module's default");
        assertEquals(4096, c.bridge().tuning().nackCachePackets());
        assertEquals(300, c.maxParticipants());
        assertEquals(20000, c.bridge().udpPort());
        java.nio.file.Files.writeString(f, "roundtable.mixer.speakers = 0\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(f.toString(), null, null));
        assertTrue(e.getMessage().startsWith("speakers"), e.getMessage());
    }

    @Test
    void aClosedServerRefusesTheDevelopmentSecret() {
        ServerConfig d = ServerConfig.load(null, null, null);
        assertTrue(d.auth().hs256Secrets().contains(ServerConfig.DEV_SECRET), "reference.conf's secret is the public one");
        assertTrue(d.openMeetings());
        assertNotNull(d.checkSecrets(), "open mode starts with a loud warning");
        ServerConfig closed = d.withOpenMeetings(false);
        IllegalStateException e = assertThrows(IllegalStateException.class, closed::checkSecrets);
        assertTrue(e.getMessage().contains("hs256-secrets"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new RoundtableServer(closed), "the server itself refuses to start");
    }
}
