package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.WsClient;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.registry.MeetingSpec;

/**
 * Issue 11, holes 5 and 6, played by the attacker over raw UDP on loopback: in-dialog requests must
 * match the whole dialog (Call-ID and both tags) and come from the PBX; our tags are random; the
 * per-caller password limit keys on what the PBX asserts, not on From; and a stranger who finds a phone
 * leg's RTP port is not heard and presses no keys.
 */
class SipTrustTest {
    static String finalFor(SipAdmissionTest.Call call, String method) throws Exception {
        return E2e.receive(call.sip, 3000, m -> E2e.isFinalResponse(m) && m.contains("Call-ID: " + call.callId) && m.contains("CSeq: " + call.cseq + " " + method));
    }

    static int code(String response) { return response == null ? -1 : Integer.parseInt(response.substring(8, 11)); }

    /** Sends method in call's dialog with the given tags (null: none) and returns the final response code. */
    static int inDialog(SipAdmissionTest.Call call, String method, String toTag, String fromTag, String type, String body) throws Exception {
        String keepTo = call.toTag, keepFrom = call.fromTag;
        call.toTag = toTag;
        call.fromTag = fromTag;
        call.cseq++;
        try {
            call.send(call.request(method, type, body));
            return code(finalFor(call, method));
        } finally {
            call.toTag = keepTo;
            call.fromTag = keepFrom;
        }
    }

    @Test
    void inDialogRequestsMustMatchTheWholeDialog() throws Exception {
        E2e.skipUnlessE2e();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RoundtableServer server = E2e.sipServer(); DatagramSocket sip = new DatagramSocket(0, lo); DatagramSocket rtp = new DatagramSocket(0, lo)) {
            sip.setSoTimeout(100);
            int port = server.config.sip().port();
            SipAdmissionTest.Call call = new SipAdmissionTest.Call(sip, port, "5550100", "1000");
            call.connect(rtp.getLocalPort());
            assertEquals(1, server.sip.activeCalls());
            assertTrue(call.toTag.matches("[0-9a-f]{24}"), "our tag is 96 random bits, not a clock: " + call.toTag);
            SipAdmissionTest.Call other = new SipAdmissionTest.Call(sip, port, "5550101", "1000");
            other.connect(rtp.getLocalPort());
            assertNotEquals(call.toTag, other.toTag);
            assertNotEquals(call.toTag.substring(0, 12), other.toTag.substring(0, 12), "no shared (clock) prefix");

            String info = "Signal=5\r\nDuration=160\r\n";
            assertEquals(481, inDialog(call, "BYE", "0123456789abcdef01234567", call.fromTag, null, ""), "the right Call-ID, a wrong To tag");
            assertEquals(481, inDialog(call, "BYE", null, call.fromTag, null, ""), "no To tag");
            assertEquals(481, inDialog(call, "BYE", call.toTag, "guessed", null, ""), "a wrong From tag");
            assertEquals(481, inDialog(call, "BYE", other.toTag, call.fromTag, null, ""), "another call's tag");
            assertEquals(481, inDialog(call, "INFO", "0123456789abcdef01234567", call.fromTag, "application/dtmf-relay", info));
            assertEquals(481, inDialog(call, "INVITE", "0123456789abcdef01234567", call.fromTag, "application/sdp",
                    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"),
                    "a re-INVITE of someone else's dialog");
            Thread.sleep(300);
            assertEquals(2, server.sip.activeCalls(), "both calls carry on");
            // JAIN-SIP answers some of these 481s itself (a BYE outside any dialog); the ones that reach the gateway are counted
            assertTrue(E2e.metric(server, "roundtable_sip_rejected_total{code=\"481\"}") >= 1, "refusals are counted");
            // the real dialog still works
            assertEquals(200, inDialog(call, "INFO", call.toTag, call.fromTag, "application/dtmf-relay", info));
            assertEquals(200, inDialog(call, "BYE", call.toTag, call.fromTag, null, ""));
            assertTrue(waitFor(3000, () -> server.sip.activeCalls() == 1), "the right BYE ends its call, and only it");
        }
    }

    /** With trusted-peers set, even the right tags from another host are refused. Needs the namespace's 127.0.0.2. */
    @Test
    void theRightTagsFromAStrangerAreRefused() throws Exception {
        E2e.skipUnlessE2e();
        Baresip.requireNamespace();
        try (RoundtableServer server = E2e.sipServer(s -> s.withTrustedPeers(List.of("127.0.0.1"), 10));
             DatagramSocket pbx = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
             DatagramSocket stranger = new DatagramSocket(0, InetAddress.getByName("127.0.0.2"));
             DatagramSocket rtp = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            pbx.setSoTimeout(100);
            stranger.setSoTimeout(100);
            int port = server.config.sip().port();
            SipAdmissionTest.Call call = new SipAdmissionTest.Call(pbx, port, "5550100", "1000");
            call.connect(rtp.getLocalPort());
            SipAdmissionTest.Call spoof = new SipAdmissionTest.Call(stranger, port, "5550100", "1000");
            spoof.toTag = call.toTag;
            spoof.fromTag = call.fromTag;
            spoof.cseq = 50;
            String bye = spoof.request("BYE", null, "").replace(spoof.callId, call.callId);
            spoof.send(bye);
            String r = E2e.receive(stranger, 3000, m -> E2e.isFinalResponse(m) && m.contains("CSeq: 50 BYE"));
            assertEquals(403, code(r), "the stranger's BYE: " + r);
            assertEquals(1, server.sip.activeCalls(), "the call carries on");
            call.cseq = 60;   // the stack's dialog saw CSeq 50 (it checks the order before the gateway refuses the sender)
            assertEquals(200, inDialog(call, "BYE", call.toTag, call.fromTag, null, ""), "the PBX's BYE ends it");
            assertTrue(waitFor(3000, () -> server.sip.activeCalls() == 0));
        }
    }

    /** A caller who changes From between guesses stays limited when the (trusted) PBX asserts the same identity. */
    @Test
    void thePasswordLimitKeysOnWhatThePbxAsserts() throws Exception {
        E2e.skipUnlessE2e();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RoundtableServer server = E2e.sipServer(s -> s.withTrustedPeers(List.of("127.0.0.1"), 10));
             DatagramSocket sip = new DatagramSocket(0, lo); DatagramSocket rtp = new DatagramSocket(0, lo)) {
            sip.setSoTimeout(100);
            int port = server.config.sip().port();
            String number = server.meetingRegistry.create(new Identity("ann", "Ann", java.util.Set.of()),
                    new MeetingSpec("instant", "Board", null, null, List.of(), "654321", true, false)).number();
            // mallory: two calls, each with a new From, three wrong guesses each; the PBX asserts who she is
            for (int c = 0; c < 2; c++) {
                SipAdmissionTest.Call mallory = new SipAdmissionTest.Call(sip, port, "555010" + c, number);
                mallory.extra = "P-Asserted-Identity: <sip:5550100@pbx.example.com>\r\n";
                mallory.connect(rtp.getLocalPort());
                for (int guess = 0; guess < 3; guess++) {
                    double before = SipAdmissionTest.attempts(server, "denied") + SipAdmissionTest.attempts(server, "rate_limited");
                    mallory.keys("1" + c + guess + "9#");
                    assertTrue(waitFor(5_000, () -> SipAdmissionTest.attempts(server, "denied") + SipAdmissionTest.attempts(server, "rate_limited") > before));
                }
                assertTrue(waitFor(10_000, () -> server.sip.activeCalls() == 0), "hung up after three tries");
            }
            assertTrue(SipAdmissionTest.attempts(server, "rate_limited") >= 1, "a new From did not reset her count: denied "
                    + SipAdmissionTest.attempts(server, "denied"));
            // alice, asserted as herself, gets in with the password
            SipAdmissionTest.Call alice = new SipAdmissionTest.Call(sip, port, "5550100", number);   // even with mallory's From
            alice.extra = "P-Asserted-Identity: \"Alice\" <tel:+15550111>\r\n";
            alice.connect(rtp.getLocalPort());
            // (a key sent before the IVR listens can be lost under load: she keys again after a "wrong", as a caller would)
            double rateLimited = SipAdmissionTest.attempts(server, "rate_limited");
            for (int attempt = 0; attempt < 2 && SipAdmissionTest.attempts(server, "joined") < 1; attempt++) {
                double denied = SipAdmissionTest.attempts(server, "denied");
                alice.keys("654321#");
                waitFor(20_000, () -> SipAdmissionTest.attempts(server, "joined") == 1 || SipAdmissionTest.attempts(server, "denied") > denied);
            }
            assertEquals(1.0, SipAdmissionTest.attempts(server, "joined"), "alice joins");
            assertEquals(rateLimited, SipAdmissionTest.attempts(server, "rate_limited"), "alice is not limited by mallory's guesses");
        }
    }

    static double foreignDrops(RoundtableServer server) throws Exception {
        return Math.max(0, E2e.metric(server, "roundtable_packets_dropped_total{reason=\"foreign_source\"}"));
    }

    /** Hole 5: a stranger sends RTP and RFC 4733 *7 to a phone's leg: nothing mutes, nothing is heard, the drops are counted. */
    @Test
    void aStrangerOnAPhoneLegsPortIsNotHeardAndPressesNoKeys() throws Exception {
        E2e.skipUnlessE2e();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RoundtableServer server = E2e.sipServer(); DatagramSocket sip = new DatagramSocket(0, lo);
             PhoneRulesTest.Media phone = new PhoneRulesTest.Media(true); PhoneRulesTest.Media stranger = new PhoneRulesTest.Media(true);
             WsClient ann = WsClient.open(server.httpPort())) {
            sip.setSoTimeout(100);
            assertEquals("joined", ann.send("{\"type\":\"join\",\"meeting\":\"777071\",\"name\":\"Ann\"}").path("type").asText());
            SipAdmissionTest.Call call = new SipAdmissionTest.Call(sip, server.config.sip().port(), "bob", "777071");
            String ok = PhoneRulesTest.connect(call, PhoneRulesTest.fixture("baresip-1.0-rtcp-mux.sdp", phone.rtp.getLocalPort()));
            InetSocketAddress leg = new InetSocketAddress(lo, Integer.parseInt(SipReinviteTest.group(ok.substring(ok.indexOf("v=0")), "m=audio (\\d+) ")));
            phone.leg = leg;
            stranger.leg = leg;
            assertTrue(waitFor(5_000, () -> phone.packetsHeard.get() > 5), "the phone hears the IVR");
            phone.keys("#", 101, 8000);      // no password
            assertNotNull(PhoneRulesTest.member(ann, "Phone bob", null, 10_000), "the phone joined");
            Thread.sleep(500);
            // the stranger: audio, then *7 (and #9, recording) as RFC 4733, then RTCP
            double before = foreignDrops(server);
            for (int i = 0; i < 20; i++) { stranger.rtp(9, stranger.ts, false, new byte[160]); stranger.ts += 160; Thread.sleep(5); }
            stranger.keys("*7", 101, 8000);
            byte[] rr = new byte[8];
            org.roundtable.bridge.rtp.Rtcp.writeRrHeader(rr, 0, 0x777, 0);
            stranger.rtp.send(new java.net.DatagramPacket(rr, rr.length, leg));
            int sent = 20 + 2 * 6 + 1;
            assertTrue(waitFor(3_000, () -> { try { return foreignDrops(server) >= before + sent; } catch (Exception e) { return false; } }),
                    "every stranger packet is a counted drop: " + (foreignDrops(server) - before));
            JsonNode muted = PhoneRulesTest.member(ann, "Phone bob", "muted", 2_000);
            assertNull(muted, "the stranger's *7 muted nobody");
            assertEquals(0, stranger.packetsHeard.get(), "the leg did not move to the stranger: it is sent nothing");
            // the phone itself is still heard and its *7 still works (so this test can see a mute)
            phone.keys("*7", 101, 8000);
            assertNotNull(PhoneRulesTest.member(ann, "Phone bob", "muted", 5_000), "the phone's own *7 mutes it");
        }
    }

    /** comedia: the SDP names a private address (NAT); the first packet after the answer latches, and a second sender is ignored. */
    @Test
    void behindNatTheFirstPacketLatchesOnce() throws Exception {
        E2e.skipUnlessE2e();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RoundtableServer server = E2e.sipServer(); DatagramSocket sip = new DatagramSocket(0, lo);
             PhoneRulesTest.Media phone = new PhoneRulesTest.Media(true); PhoneRulesTest.Media stranger = new PhoneRulesTest.Media(true)) {
            sip.setSoTimeout(100);
            SipAdmissionTest.Call call = new SipAdmissionTest.Call(sip, server.config.sip().port(), "natted", "1000");
            String sdp = PhoneRulesTest.fixture("baresip-1.0-rtcp-mux.sdp", 4000).replace("IN IP4 127.0.0.1", "IN IP4 192.168.1.20");
            String ok = PhoneRulesTest.connect(call, sdp);
            InetSocketAddress leg = new InetSocketAddress(lo, Integer.parseInt(SipReinviteTest.group(ok.substring(ok.indexOf("v=0")), "m=audio (\\d+) ")));
            phone.leg = leg;
            stranger.leg = leg;
            Thread.sleep(300);
            assertEquals(0, phone.packetsHeard.get(), "nothing is sent to a private address we cannot reach");
            for (int i = 0; i < 5; i++) { phone.rtp(9, phone.ts, false, new byte[160]); phone.ts += 160; Thread.sleep(20); }
            assertTrue(waitFor(5_000, () -> phone.packetsHeard.get() > 5), "the IVR now plays to where the phone's packets come from");
            double before = foreignDrops(server);
            for (int i = 0; i < 10; i++) { stranger.rtp(9, stranger.ts, false, new byte[160]); stranger.ts += 160; Thread.sleep(20); }
            assertTrue(waitFor(3_000, () -> { try { return foreignDrops(server) >= before + 10; } catch (Exception e) { return false; } }));
            Thread.sleep(300);
            assertEquals(0, stranger.packetsHeard.get(), "latched once: the second sender does not take the leg over");
        }
    }
}
