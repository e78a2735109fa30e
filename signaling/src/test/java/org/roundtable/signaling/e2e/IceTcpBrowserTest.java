package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.audio;
import static org.roundtable.signaling.e2e.E2e.frames;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;

/**
 * Members whose UDP to the media port is blocked (an iptables rule in the test's namespace, as a firewall
 * that only lets TCP through would do) join over ICE-TCP on the same port number (RFC 6544, RFC 4571
 * framing): a Chromium and a Firefox member each decode and hear the other, and the selected pair is TCP.
 */
class IceTcpBrowserTest {

    static void iptables(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("iptables", "-w", "5"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "iptables " + String.join(" ", args) + ": " + out);
    }

    @Test
    void chromiumAndFirefoxMeetOverIceTcpWithUdpBlocked() throws Exception {
        E2e.skipUnlessE2e();
        int port = E2e.freeTcpPort();
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), port, port, 2_500_000, false, 30_000, 10_000, 2);
        String[] rule = {"INPUT", "-p", "udp", "--dport", String.valueOf(port), "-j", "DROP"};
        try (RoundtableServer server = new RoundtableServer(new ServerConfig("127.0.0.1", 0, b, true, 100)).start();
             Browser c = new Browser(); Firefox f = new Firefox()) {
            assertEquals(port, server.bridge.udpPort());
            iptables(prepend("-I", rule));
            try {
                String base = server.url() + "?meeting=tcp&autojoin=1&name=";
                long t0 = System.currentTimeMillis();
                String ann = c.open(base + "Ann");
                assertTrue(waitFor(30_000, () -> "joined".equals(c.state(ann))), "Chromium joined over TCP, state=" + c.state(ann));
                long annJoined = System.currentTimeMillis();
                String fox = f.open(base + "Fox");
                assertTrue(waitFor(30_000, () -> "joined".equals(f.state(fox))), "Firefox joined over TCP, state=" + f.state(fox));
                long foxJoined = System.currentTimeMillis();
                assertTrue(waitFor(20_000, () -> frames(only(c.stats(ann))) > 0 && audio(only(c.stats(ann))) > 0),
                        "Chromium decodes Firefox over TCP: " + c.stats(ann));
                long annFrames = System.currentTimeMillis();
                assertTrue(waitFor(20_000, () -> frames(only(f.stats(fox))) > 0 && audio(only(f.stats(fox))) > 0),
                        "Firefox decodes Chromium over TCP: " + f.stats(fox));
                long foxFrames = System.currentTimeMillis();
                assertEquals("tcp", c.transport(ann), "Chromium's selected candidate pair");
                assertEquals("tcp", f.transport(fox), "Firefox's selected candidate pair");
                // the first frames can come before 20 audio packets on a busy machine: wait for them too
                assertTrue(waitFor(10_000, () -> E2e.hears(c, ann, "Fox", 20) && E2e.hears(f, fox, "Ann", 20)), "both hear each other");
                System.out.printf("[e2e] ICE-TCP with UDP blocked: Chromium joined %d ms after its tab opened; Firefox joined %d ms after its tab opened;"
                        + " first frames: Firefox %d ms after joining, Chromium %d ms after Firefox joined%n",
                        annJoined - t0, foxJoined - annJoined, foxFrames - foxJoined, annFrames - foxJoined);
                double tcpIn = server.bridge.metrics.videoPktsIn.get();
                assertTrue(tcpIn > 0, "media arrived");
            } finally {
                iptables(prepend("-D", rule));
            }
        }
    }

    static Map<String, Object> only(List<Map<String, Object>> s) {
        if (s.size() != 1) throw new IllegalStateException("expected one other member: " + s);
        return s.get(0);
    }

    static String[] prepend(String first, String[] rest) {
        String[] r = new String[rest.length + 1];
        r[0] = first;
        System.arraycopy(rest, 0, r, 1, rest.length);
        return r;
    }
}
