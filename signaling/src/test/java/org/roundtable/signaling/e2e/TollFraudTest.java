package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.WsClient;

/**
 * Issue 11, hole 4 (toll fraud), played by members over the WebSocket protocol against a fake PBX (a
 * UDP socket that is the gateway's registrar and proxy, so every INVITE the gateway sends lands there):
 * a guest cannot dial out or be called back; a host with dial_out cannot call off the allow-list (no
 * INVITE leaves); the per-member and per-meeting rates and max-calls hold.
 */
class TollFraudTest {
    static String token(String sub, String... permissions) {
        StringBuilder p = new StringBuilder();
        for (String x : permissions) p.append(p.length() == 0 ? "" : ",").append('"').append(x).append('"');
        return org.roundtable.signaling.auth.Jwt.signHs256(ServerConfig.TEST_SECRET, "{\"sub\":\"" + sub + "\",\"name\":\"" + sub + "\",\"exp\":"
                + (System.currentTimeMillis() / 1000 + 3600) + ",\"permissions\":[" + p + "]}");
    }

    static JsonNode control(WsClient ws, String action, String target) throws Exception {
        return ws.send("{\"type\":\"control\",\"action\":\"" + action + "\",\"target\":\"" + target + "\"}");
    }

    static String error(JsonNode reply) { return reply.path("type").asText().equals("error") ? reply.path("code").asText() : reply.path("type").asText(); }

    /** The first INVITE that reaches the fake PBX for target within ms, or null. */
    static String inviteFor(DatagramSocket pbx, String target, long ms) throws Exception {
        return E2e.receive(pbx, ms, m -> m.startsWith("INVITE sip:" + target + "@"));
    }

    static RoundtableServer server(DatagramSocket pbx, java.util.function.UnaryOperator<ServerConfig.Sip> sip) throws Exception {
        RoundtableServer server = E2e.sipServer(sip);
        server.sip.register(new ServerConfig.Registrar("127.0.0.1", pbx.getLocalPort(), "udp", "roundtable", "", 300, 0));
        return server;
    }

    @Test
    void guestsAreRefusedAndTargetsOffTheAllowListAreNeverDialled() throws Exception {
        E2e.skipUnlessE2e();
        try (DatagramSocket pbx = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            pbx.setSoTimeout(100);
            try (RoundtableServer server = server(pbx, s -> s); WsClient host = WsClient.open(server.httpPort()); WsClient guest = WsClient.open(server.httpPort())) {
                assertEquals("joined", host.send("{\"type\":\"join\",\"meeting\":\"toll1\",\"token\":\"" + token("ann", "dial_out") + "\"}").path("type").asText());
                JsonNode g = guest.send("{\"type\":\"join\",\"meeting\":\"toll1\",\"name\":\"Mallory\"}");
                assertEquals("guest", g.path("role").asText(), g.toString());
                assertEquals("forbidden", error(control(guest, "dialOut", "4711")), "a guest cannot dial out");
                assertEquals("forbidden", error(control(guest, "callMeBack", "4711")), "nor be called back without dial_out");
                // a host with dial_out, to a premium number, by number and by URI: refused before any INVITE
                assertEquals("target_not_allowed", error(control(host, "dialOut", "+900123456")));
                assertEquals("target_not_allowed", error(control(host, "dialOut", "sip:+900123456@127.0.0.1")));
                assertEquals("target_not_allowed", error(control(host, "callMeBack", "+900123456")));
                assertNull(inviteFor(pbx, "+900123456", 1500), "no INVITE left for the premium number");
                assertEquals(0, server.sip.pendingDialOuts());
                assertEquals(3.0, E2e.metric(server, "roundtable_sip_dial_out_refused_total{reason=\"target_not_allowed\"}"));
                // an extension is allowed: the INVITE goes to the PBX (so the refusals above were the allow-list's)
                assertEquals("ok", error(control(host, "dialOut", "4711")));
                assertNotNull(inviteFor(pbx, "4711", 3000), "the extension is dialled");
            }
        }
    }

    @Test
    void callBackNeedsTheConfiguredPermission() throws Exception {
        E2e.skipUnlessE2e();
        try (DatagramSocket pbx = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            pbx.setSoTimeout(100);
            try (RoundtableServer server = server(pbx, s -> s.withCallbackNeeds("callback")); WsClient ann = WsClient.open(server.httpPort());
                 WsClient bob = WsClient.open(server.httpPort())) {
                assertEquals("joined", ann.send("{\"type\":\"join\",\"meeting\":\"toll2\",\"token\":\"" + token("ann", "dial_out") + "\"}").path("type").asText());
                assertEquals("joined", bob.send("{\"type\":\"join\",\"meeting\":\"toll2\",\"token\":\"" + token("bob", "callback") + "\"}").path("type").asText());
                assertEquals("forbidden", error(control(ann, "callMeBack", "4711")), "dial_out is not the callback permission here");
                assertEquals("ok", error(control(bob, "callMeBack", "4712")), "a member with callback is called back");
                assertNotNull(inviteFor(pbx, "4712", 3000));
            }
        }
    }

    @Test
    void ratesPerMemberAndMeetingAndMaxCallsCountDialOuts() throws Exception {
        E2e.skipUnlessE2e();
        try (DatagramSocket pbx = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
             DatagramSocket caller = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            pbx.setSoTimeout(100);
            caller.setSoTimeout(100);
            try (RoundtableServer server = server(pbx, s -> s.withDialOut(new ServerConfig.DialOut(List.of("^[0-9]{3,6}$"), 2, 3)));
                 WsClient ann = WsClient.open(server.httpPort()); WsClient bob = WsClient.open(server.httpPort())) {
                assertEquals("joined", ann.send("{\"type\":\"join\",\"meeting\":\"toll3\",\"token\":\"" + token("ann", "dial_out") + "\"}").path("type").asText());
                JsonNode b = bob.send("{\"type\":\"join\",\"meeting\":\"toll3\",\"token\":\"" + token("bob", "dial_out") + "\"}");
                String bobId = b.path("participantId").asText();
                assertEquals("ok", error(ann.send("{\"type\":\"control\",\"action\":\"setRole\",\"target\":\"" + bobId + "\",\"role\":\"host\"}")), b.toString());
                assertEquals("ok", error(control(ann, "dialOut", "4701")));
                assertEquals("ok", error(control(ann, "dialOut", "4702")));
                JsonNode third = control(ann, "dialOut", "4703");
                assertEquals("rate_limited", error(third), "ann's third call in a minute");
                assertTrue(third.path("message").asText().contains("per member"), third.toString());
                assertEquals("ok", error(control(bob, "dialOut", "4704")), "bob has his own minute");
                JsonNode fourth = control(bob, "dialOut", "4705");
                assertEquals("rate_limited", error(fourth), "the meeting's fourth call in a minute");
                assertTrue(fourth.path("message").asText().contains("per meeting"), fourth.toString());
                assertNull(inviteFor(pbx, "4703", 1000), "refused calls send nothing");
                assertEquals(3, server.sip.pendingDialOuts());
            }
            // max-calls counts dial-outs: two ringing, a third is busy, and so is an incoming call
            try (RoundtableServer server = server(pbx, s -> s.withTrustedPeers(List.of(), 2)); WsClient ann = WsClient.open(server.httpPort())) {
                assertEquals("joined", ann.send("{\"type\":\"join\",\"meeting\":\"toll4\",\"token\":\"" + token("ann", "dial_out") + "\"}").path("type").asText());
                assertEquals("ok", error(control(ann, "dialOut", "4801")));
                assertEquals("ok", error(control(ann, "dialOut", "4802")));
                assertEquals("busy", error(control(ann, "dialOut", "4803")), "beyond max-calls");
                String busy = new SipAdmissionTest.Call(caller, server.config.sip().port(), "5550100", "1000").invite(E2e.freeUdpPort());
                assertTrue(busy != null && busy.startsWith("SIP/2.0 503"), "an incoming call while the lines ring out: " + busy);
                assertEquals(1.0, E2e.metric(server, "roundtable_sip_dial_out_refused_total{reason=\"busy\"}"));
            }
        }
    }
}
