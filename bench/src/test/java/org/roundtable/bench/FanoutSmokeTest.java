package org.roundtable.bench;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.bench.load.LoadRun;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;

/**
 * A small fanout through the real server and the real load generator (WHIP publisher, WHEP subscribers,
 * ICE, DTLS, SRTP): every packet must arrive. Asserts delivery, not speed (speed is for bench/run.sh).
 */
class FanoutSmokeTest {
    @Test void twentySubscribersLoseNothing() throws Exception {
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 2_500_000, false, 30_000, 10_000, 16);
        try (RoundtableServer server = new RoundtableServer(new ServerConfig("127.0.0.1", 0, b, true, 100)).start()) {
            LoadRun run = new LoadRun(new LoadRun.Options("fanout", 1, 20, 5, 2, "http://127.0.0.1:" + server.httpPort(),
                    ProcessHandle.current().pid(), 0, 5));
            try {
                ObjectNode r = run.run();
                System.out.println("[bench smoke] " + r);
                assertEquals(20, r.get("subscribers").asInt());
                assertTrue(r.get("pkts_expected").asLong() > 20 * 5 * 80, "media flowed: " + r);
                assertEquals(r.get("pkts_expected").asLong(), r.get("pkts_received").asLong(), "zero loss: " + r);
                assertEquals(0.0, r.get("loss_pct").asDouble(), "zero loss: " + r);
                // the server's counter is read at the end of the measured window, the clients count until they stop: 88-90% seen
                assertTrue(r.get("pkts_forwarded").asLong() >= r.get("pkts_received").asLong() * 8 / 10, "the server counted what it forwarded: " + r);
            } finally {
                run.close();
            }
        }
    }
}
