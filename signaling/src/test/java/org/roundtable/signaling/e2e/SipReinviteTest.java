package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;

/**
 * Re-INVITEs in a call, as PBXs send them (hold, a moved media address, session-timer refreshes): each
 * is answered with our SDP (same port, codec and keys, next version, the answering direction), media
 * follows a moved address and stops while the caller holds, and a bad one gets 488 without ending the call. A caller that never
 * acknowledges our 200 is hung up (Timer H) instead of holding a call forever.
 */
class SipReinviteTest {
    static String sdp(int port, String direction) {
        return "v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + port + " RTP/AVP 0 101\r\n"
                + "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=" + direction + "\r\n";
    }

    static String request(String method, int cseq, int localPort, String callId, String toTag, String body) {
        return method + " sip:880002@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + localPort + ";branch=z9hG4bK" + callId + method + cseq + "\r\n"
                + "From: <sip:pbx@127.0.0.1>;tag=f" + callId + "\r\nTo: <sip:880002@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: " + cseq + " " + method + "\r\nContact: <sip:pbx@127.0.0.1:" + localPort + ">\r\nMax-Forwards: 70\r\n"
                + (body.isEmpty() ? "" : "Content-Type: application/sdp\r\n") + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return m.group(1);
    }

    /** RTP packets arriving at the socket within ms. */
    static int rtpWithin(DatagramSocket rtp, long ms) throws Exception {
        byte[] buf = new byte[2048];
        int n = 0;
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            try { rtp.receive(new DatagramPacket(buf, buf.length)); n++; } catch (SocketTimeoutException e) { /* keep waiting */ }
        }
        return n;
    }

    /** Sends a request and returns its final response (matched by CSeq, skipping retransmissions of earlier ones); ACKs a 2xx to an INVITE unless told not to. */
    static String transact(DatagramSocket sip, int port, String method, int cseq, String callId, String toTag, String body, boolean ack) throws Exception {
        int me = sip.getLocalPort();
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
        byte[] b = request(method, cseq, me, callId, toTag, body).getBytes(StandardCharsets.UTF_8);
        sip.send(new DatagramPacket(b, b.length, to));
        String r = E2e.receive(sip, 3000, m -> E2e.isFinalResponse(m) && m.contains("CSeq: " + cseq + " " + method));
        if (r != null) {
            if (ack && method.equals("INVITE") && r.charAt(8) == '2') {
                byte[] a = request("ACK", cseq, me, callId, group(r, "To: [^\\r\\n]*;tag=([^;\\r\\n]+)"), "").getBytes(StandardCharsets.UTF_8);
                sip.send(new DatagramPacket(a, a.length, to));
            }
            return r;
        }
        fail("no answer to " + method + " " + cseq);
        return null;
    }

    @Test
    void reinvitesAreAnsweredAndMediaFollows() throws Exception {
        E2e.skipUnlessE2e();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RoundtableServer server = E2e.sipServer(); DatagramSocket sip = new DatagramSocket(0, lo);
             DatagramSocket rtpA = new DatagramSocket(0, lo); DatagramSocket rtpB = new DatagramSocket(0, lo)) {
            int port = server.config.sip().port();
            sip.setSoTimeout(100);
            rtpA.setSoTimeout(50);
            rtpB.setSoTimeout(50);
            // a call to meeting 880002 (the IVR asks for the password: its prompt is our media)
            String ok = transact(sip, port, "INVITE", 1, "ri1", null, sdp(rtpA.getLocalPort(), "sendrecv"), true);
            assertTrue(ok.startsWith("SIP/2.0 200"), ok);
            String toTag = group(ok, "To: [^\\r\\n]*;tag=([^;\\r\\n]+)"), mediaPort = group(ok, "m=audio (\\d+) ");
            assertTrue(rtpWithin(rtpA, 1000) > 10, "the prompt reaches the first address");

            // the PBX moves the media: answered with the same port, next version; media follows
            String re = transact(sip, port, "INVITE", 2, "ri1", toTag, sdp(rtpB.getLocalPort(), "sendrecv"), true);
            assertTrue(re.startsWith("SIP/2.0 200"), re);
            assertEquals(mediaPort, group(re, "m=audio (\\d+) "), "same media port");
            assertEquals("2", group(re, "o=roundtable \\d+ (\\d+) "), "next SDP version");
            assertTrue(re.contains("a=sendrecv"), re);
            rtpWithin(rtpB, 200);
            assertTrue(rtpWithin(rtpB, 1000) > 10, "media now goes to the new address");
            assertEquals(0, rtpWithin(rtpA, 500), "and no longer to the old one");

            // hold (sendonly) is answered recvonly; a session refresh without SDP gets our SDP
            String hold = transact(sip, port, "INVITE", 3, "ri1", toTag, sdp(rtpB.getLocalPort(), "sendonly"), true);
            assertTrue(hold.startsWith("SIP/2.0 200") && hold.contains("a=recvonly"), hold);
            rtpWithin(rtpB, 200);
            assertEquals(0, rtpWithin(rtpB, 1000), "nothing is sent to a caller who holds the call");
            String refresh = transact(sip, port, "INVITE", 4, "ri1", toTag, "", true);
            assertTrue(refresh.startsWith("SIP/2.0 200") && refresh.contains("m=audio " + mediaPort + " RTP/AVP 0 101"), refresh);
            assertTrue(rtpWithin(rtpB, 1000) > 10, "off hold, media flows again");

            // a bad offer: 488, and the call carries on
            assertTrue(transact(sip, port, "INVITE", 5, "ri1", toTag, "not SDP", true).startsWith("SIP/2.0 488"));
            assertEquals(1, server.sip.activeCalls());
            assertTrue(rtpWithin(rtpB, 1000) > 10, "media still flows");

            assertTrue(transact(sip, port, "BYE", 6, "ri1", toTag, "", true).startsWith("SIP/2.0 200"));
            assertTrue(E2e.waitFor(5_000, () -> server.sip.activeCalls() == 0));

            // a caller that never sends the ACK: hung up once our 200 times out (Timer H, 32 s)
            String unacked = transact(sip, port, "INVITE", 1, "ri2", null, sdp(rtpA.getLocalPort(), "sendrecv"), false);
            assertTrue(unacked.startsWith("SIP/2.0 200"), unacked);
            assertEquals(1, server.sip.activeCalls());
            // (well before the IVR would give up on a silent caller: three prompts and 10 s pauses, ~45 s)
            assertTrue(E2e.waitFor(38_000, () -> server.sip.activeCalls() == 0), "the unacknowledged call was ended");
        }
    }

    /** A caller who keys nothing hears the prompt three times, then goodbye, and is hung up (idle 1 s here). */
    @Test
    void silentCallerIsHungUpAfterThreePrompts() throws Exception {
        E2e.skipUnlessE2e();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RoundtableServer server = E2e.sipServer(s -> s.withIvrIdleSeconds(1)); DatagramSocket sip = new DatagramSocket(0, lo);
             DatagramSocket rtp = new DatagramSocket(0, lo)) {
            int port = server.config.sip().port();
            sip.setSoTimeout(100);
            long start = System.currentTimeMillis();
            String ok = transact(sip, port, "INVITE", 1, "idle1", null, sdp(rtp.getLocalPort(), "sendrecv"), true);
            assertTrue(ok.startsWith("SIP/2.0 200"), ok);
            assertTrue(E2e.waitFor(40_000, () -> server.sip.activeCalls() == 0), "the silent caller was hung up");
            long ms = System.currentTimeMillis() - start;
            long prompt = org.roundtable.signaling.sip.Prompts.lengthMs("password");
            System.out.printf("[e2e] a silent caller was hung up after %d ms (password prompt %d ms, idle 1 s)%n", ms, prompt);
            assertTrue(ms > 3 * (prompt + 1000), "after the prompt was played three times");
            assertEquals(1.0, E2e.metric(server, "roundtable_ivr_attempts_total{result=\"no_input\"}"));
        }
    }
}
