package org.roundtable.bridge;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.router.RetransmissionCache;

/**
 * The bridge's settings come from its own reference.conf (roundtable.bridge), read once into
 * {@link BridgeConfig}: the documented defaults, an operator's overrides, the media port given on the
 * command line, and a value out of range refused at start with the key's name.
 */
class BridgeConfigTest {
    static Config bridge(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve().getConfig("roundtable.bridge");
    }

    @Test void theModulesReferenceConfHoldsTheDocumentedDefaults() {
        BridgeConfig c = BridgeConfig.fromConfig(bridge(""), null);
        assertEquals(10000, c.udpPort());
        assertEquals(10000, c.tcpPort());
        assertEquals(16, c.dtlsThreads());
        assertEquals(500, c.limits().nacksPerSecond());
        BridgeConfig.Tuning t = c.tuning();
        assertEquals(32, t.udpFlushEvery());
        assertEquals(0, t.mediaLoops(), "one loop per core");
        assertEquals(20000, t.warmUpPackets());
        assertEquals(512, t.nackCachePackets());
        assertEquals(1500, t.nackMaxAgeMs());
        assertEquals(100, t.nackResendGuardMs());
    }

    @Test void overridesAndTheMediaPortApply() {
        BridgeConfig c = BridgeConfig.fromConfig(bridge("roundtable.bridge.tuning { nack-cache-packets = 2048, nack-max-age-ms = 3000 }"), 20000);
        assertEquals(2048, c.tuning().nackCachePackets());
        assertEquals(3000, c.tuning().nackMaxAgeMs());
        assertEquals(20000, c.udpPort());
        assertEquals(20000, c.tcpPort(), "ICE-TCP shares the media port");
        assertEquals(0, BridgeConfig.fromConfig(bridge("roundtable.bridge.tcp-port = 0"), 20000).tcpPort(), "ICE-TCP stays off");
    }

    @Test void aValueOutOfRangeIsRefusedWithItsKey() {
        for (String bad : new String[] {"nack-cache-packets = 1000", "nack-cache-packets = 32", "nack-max-age-ms = 50", "nack-resend-guard-ms = 5000"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BridgeConfig.fromConfig(bridge("roundtable.bridge.tuning." + bad), null), bad);
            assertTrue(e.getMessage().startsWith(bad.substring(0, bad.indexOf(' '))), e.getMessage());
        }
    }

    /** A cache of n slots answers for the last n packets, no older. */
    @Test void theRetransmissionCacheKeepsItsConfiguredNumberOfPackets() {
        RetransmissionCache c = new RetransmissionCache(64);
        assertEquals(64, c.size());
        ByteBuf b = Unpooled.buffer(100).writeZero(100);
        for (int seq = 0; seq < 100; seq++) c.put(b, 0, 100, 12, seq, 1000 + seq);
        assertEquals(-1, c.find(35, 1100, 1500), "overwritten by seq 99");
        assertTrue(c.find(36, 1100, 1500) >= 0, "the 64th newest is still there");
        assertTrue(c.find(99, 1100, 1500) >= 0);
        assertEquals(-1, c.find(99, 1100 + 1501, 1500), "too old to re-send");
        c.clear();
        assertEquals(1, b.refCnt(), "the cache's references are given back");
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionCache(100));
    }
}
