package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.registry.MeetingSpec;

/**
 * The meeting rules' per-source password limits for phone callers: every caller comes through the same
 * PBX, so the source is the caller at the PBX. A caller who keeps guessing (keys as SIP INFO) is locked
 * out; another caller through the same PBX still gets in with the right password.
 */
class PhonePasswordLimitTest {
    /** One call from a PBX user to a meeting number, driven by hand over UDP. */
    static final class Call {
        final DatagramSocket sip;
        final int port;
        final String callId, from, number;
        String toTag;
        int cseq = 1;

        Call(DatagramSocket sip, int port, String from, String number) {
            this.sip = sip; this.port = port; this.from = from; this.number = number;
            this.callId = from + "-" + System.nanoTime();
        }

        String request(String method, String contentType, String body) {
            return method + " sip:" + number + "@127.0.0.1 SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + sip.getLocalPort() + ";branch=z9hG4bK" + callId + cseq + method + "\r\n"
                    + "From: <sip:" + from + "@127.0.0.1>;tag=f" + callId + "\r\nTo: <sip:" + number + "@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                    + "Call-ID: " + callId + "\r\nCSeq: " + cseq + " " + method + "\r\nContact: <sip:" + from + "@127.0.0.1:" + sip.getLocalPort() + ">\r\n"
                    + "Max-Forwards: 70\r\n" + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
        }

        void send(String msg) throws Exception {
            byte[] b = msg.getBytes(StandardCharsets.UTF_8);
            sip.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
        }

        /** INVITE, the 200, ACK. */
        void connect(int rtpPort) throws Exception {
            send(request("INVITE", "application/sdp", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                    + "m=audio " + rtpPort + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"));
            byte[] buf = new byte[4096];
            long end = System.currentTimeMillis() + 3000;
            while (toTag == null && System.currentTimeMillis() < end) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try { sip.receive(p); } catch (SocketTimeoutException e) { continue; }
                String r = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
                if (r.startsWith("SIP/2.0 200") && r.contains("Call-ID: " + callId)) toTag = SipReinviteTest.group(r, "To: [^\\r\\n]*;tag=([^;\\r\\n]+)");
            }
            assertNotNull(toTag, "the call was answered");
            send(request("ACK", null, ""));
        }

        /** Keys as SIP INFO (application/dtmf-relay), the gateway's fallback to RFC 4733. */
        void keys(String digits) throws Exception {
            for (char k : digits.toCharArray()) {
                cseq++;
                send(request("INFO", "application/dtmf-relay", "Signal=" + k + "\r\nDuration=160\r\n"));
                Thread.sleep(30);
            }
        }
    }

    static double attempts(RoundtableServer server, String result) {
        try {
            return Math.max(0, E2e.metric(server, "roundtable_ivr_attempts_total{result=\"" + result + "\"}"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oneCallerGuessingDoesNotLockOutTheOthers() throws Exception {
        E2e.skipUnlessE2e();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RoundtableServer server = E2e.sipServer(); DatagramSocket sip = new DatagramSocket(0, lo); DatagramSocket rtp = new DatagramSocket(0, lo)) {
            sip.setSoTimeout(100);
            int port = server.config.sip().port();
            String number = server.meetingRegistry.create(new Identity("ann", "Ann", java.util.Set.of()),
                    new MeetingSpec("instant", "Board", null, null, List.of(), "4321", true, false)).number();
            // mallory guesses: three wrong passwords per call, two calls; the limit (5 per source) stops the sixth
            for (int c = 0; c < 2; c++) {
                Call mallory = new Call(sip, port, "5550100", number);
                mallory.connect(rtp.getLocalPort());
                for (int guess = 0; guess < 3; guess++) {
                    double before = attempts(server, "denied") + attempts(server, "rate_limited");
                    mallory.keys("1" + c + guess + "9#");
                    assertTrue(E2e.waitFor(5_000, () -> attempts(server, "denied") + attempts(server, "rate_limited") > before), "the guess was judged");
                }
                assertTrue(E2e.waitFor(10_000, () -> server.sip.activeCalls() == 0), "mallory is hung up after three tries");
            }
            assertTrue(attempts(server, "rate_limited") >= 1, "mallory hit the per-source limit: denied " + attempts(server, "denied"));
            // alice, through the same PBX, knows the password: she gets in
            Call alice = new Call(sip, port, "5550111", number);
            alice.connect(rtp.getLocalPort());
            alice.keys("4321#");
            assertTrue(E2e.waitFor(5_000, () -> attempts(server, "joined") == 1), "another caller through the same PBX joins: rate_limited "
                    + attempts(server, "rate_limited") + ", denied " + attempts(server, "denied"));
        }
    }
}
