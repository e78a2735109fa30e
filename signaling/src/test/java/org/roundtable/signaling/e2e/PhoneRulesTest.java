package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.rtp.Rfc4733;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.WsClient;

/**
 * Phones as they are (issue 10), each a raw-UDP phone on loopback sending a real phone's offer (the
 * sdp/ fixtures): linphone's Opus offer with telephone-event at 48000 and 8000 gets the one at 48000,
 * joins through the hotline IVR with RFC 4733 keys on both, and mutes and unmutes itself with *7 / *8
 * (a member in the meeting sees it); its RTCP (SR, RR) to our a=rtcp port is counted and answered by
 * our SR/RR about its stream (its SSRC, its SR's LSR), bad RTCP is a counted drop. Baresip's rtcp-mux
 * offer is answered muxed; it joins and mutes with keys as SIP INFO, and its muxed RTCP is answered on
 * the RTP port.
 */
class PhoneRulesTest {
    static final byte[] OPUS_SILENCE = {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE};
    static final int PHONE_SSRC = 0x1234ABCD;

    static String fixture(String name, int rtpPort) throws Exception {
        try (var in = PhoneRulesTest.class.getClassLoader().getResourceAsStream("sdp/" + name)) {
            String s = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
            return s.replaceAll("(?m)^m=audio \\d+ ", "m=audio " + rtpPort + " ").replace("127.0.0.2", "127.0.0.1").replace("\n", "\r\n");
        }
    }

    /** A phone's media: RTP (and RTCP on port + 1, or muxed) sockets, what it hears, what RTCP it gets. */
    static final class Media implements AutoCloseable {
        final DatagramSocket rtp, rtcp;
        final AtomicInteger seq = new AtomicInteger(100), ourSsrc = new AtomicInteger(), ourPt = new AtomicInteger(-1);
        final AtomicInteger packetsHeard = new AtomicInteger();
        final ConcurrentLinkedQueue<byte[]> rtcpIn = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread[] readers;
        long ts = 5000;
        InetSocketAddress leg;

        Media(boolean mux) throws Exception {
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            DatagramSocket r = null, c = null;
            for (int i = 0; i < 50 && c == null; i++) {           // an even port and the next one, like a phone
                r = new DatagramSocket(0, lo);
                if (mux) break;
                try { c = (r.getLocalPort() & 1) == 0 ? new DatagramSocket(r.getLocalPort() + 1, lo) : null; } catch (Exception e) { c = null; }
                if (c == null) r.close();
            }
            rtp = r;
            rtcp = mux ? r : c;
            assertNotNull(rtcp, "an RTP/RTCP port pair");
            rtp.setSoTimeout(100);
            rtcp.setSoTimeout(100);
            readers = mux ? new Thread[] {reader(rtp)} : new Thread[] {reader(rtp), reader(rtcp)};
        }

        private Thread reader(DatagramSocket s) {
            Thread t = new Thread(() -> {
                byte[] b = new byte[2048];
                while (running.get()) {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    try { s.receive(p); } catch (Exception e) { continue; }
                    byte[] d = java.util.Arrays.copyOf(b, p.getLength());
                    if (Rtcp.looksLikeRtcp(d, 0, d.length)) { rtcpIn.add(d); continue; }
                    if (d.length >= 12 && s == rtp) {
                        ourSsrc.set(RtpPacket.ssrc(d, 0));
                        ourPt.set(RtpPacket.payloadType(d, 0));
                        packetsHeard.incrementAndGet();
                    }
                }
            }, "phone-media");
            t.setDaemon(true);
            t.start();
            return t;
        }

        void rtp(int pt, long timestamp, boolean marker, byte[] payload) throws Exception {
            byte[] pkt = new byte[12 + payload.length];
            pkt[0] = (byte) 0x80;
            pkt[1] = (byte) (pt | (marker ? 0x80 : 0));
            RtpPacket.setSequence(pkt, 0, seq.getAndIncrement() & 0xFFFF);
            RtpPacket.setTimestamp(pkt, 0, timestamp);
            RtpPacket.setSsrc(pkt, 0, PHONE_SSRC);
            System.arraycopy(payload, 0, pkt, 12, payload.length);
            rtp.send(new DatagramPacket(pkt, pkt.length, leg));
        }

        /** Some Opus silence (20 ms frames at 48000). */
        void audio(int frames) throws Exception {
            for (int i = 0; i < frames; i++) { rtp(96, ts, false, OPUS_SILENCE); ts += 960; Thread.sleep(20); }
        }

        /** RFC 4733 keys on payload type pt, durations in that PT's clock (50 ms steps), three end packets. */
        void keys(String keys, int pt, int clock) throws Exception {
            for (char k : keys.toCharArray()) {
                int event = k == '*' ? 10 : k == '#' ? 11 : k - '0';
                long t = ts;
                int step = clock / 20;
                for (int i = 1; i <= 6; i++) {
                    rtp(pt, t, i == 1, Rfc4733.payload(event, i > 3, 10, Math.min(i, 4) * step));
                    Thread.sleep(i <= 3 ? 50 : 5);
                }
                ts += 960 * 10;
                Thread.sleep(120);
            }
        }

        /** The first RTCP compound we got that holds a report block about the phone's SSRC (waits up to ms), or null. */
        byte[] reportAboutPhone(long ms) throws InterruptedException {
            long end = System.currentTimeMillis() + ms;
            while (System.currentTimeMillis() < end) {
                byte[] d;
                while ((d = rtcpIn.poll()) != null) if (block(d, PHONE_SSRC) >= 0) return d;
                Thread.sleep(50);
            }
            return null;
        }

        @Override public void close() throws Exception {
            running.set(false);
            for (Thread t : readers) t.join(1000);
            rtp.close();
            if (rtcp != rtp) rtcp.close();
        }
    }

    /** Offset of the report block about ssrc in an SR or RR of the compound, or -1. */
    static int block(byte[] d, int ssrc) {
        if (!Rtcp.isValidCompound(d, 0, d.length)) return -1;
        for (int p = 0; p < d.length; p += Rtcp.length(d, p)) {
            int type = Rtcp.packetType(d, p);
            if (type != Rtcp.SR && type != Rtcp.RR) continue;
            for (int i = 0; ; i++) {
                int q = Rtcp.reportBlock(d, p, i);
                if (q < 0) break;
                if (Rtcp.blockSsrc(d, q) == ssrc) return q;
            }
        }
        return -1;
    }

    /** The phone's SR (its packets so far) with an RR block about our stream, and SDES. */
    static byte[] phoneSr(long ntp, int ourSsrc, long highestSeq) {
        byte[] b = new byte[200];
        int n = Rtcp.writeSr(b, 0, PHONE_SSRC, ntp, 123456, 50, 150, 1);
        n += Rtcp.writeReportBlock(b, n, ourSsrc, 0, 0, highestSeq, 7, 0, 0);
        n += Rtcp.writeSdesCname(b, n, PHONE_SSRC, "phone@127.0.0.1");
        return java.util.Arrays.copyOf(b, n);
    }

    static JsonNode member(WsClient ws, String name, String change, long ms) throws Exception {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            JsonNode e = ws.event(change == null ? "participantJoined" : "participantUpdated", 200);
            if (e == null) continue;
            JsonNode p = e.path("participant");
            if (p.path("name").asText().equals(name) && (change == null || change.equals(e.path("change").asText()))) return p;
        }
        return null;
    }

    static double metric(RoundtableServer server, String direction, String type) {
        try {
            return Math.max(0, E2e.metric(server, "roundtable_sip_rtcp_packets_total{direction=\"" + direction + "\",type=\"" + type + "\"}"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String connect(SipAdmissionTest.Call call, String sdp) throws Exception {
        call.send(call.request("INVITE", "application/sdp", sdp));
        String ok = E2e.receive(call.sip, 5000, m -> E2e.isFinalResponse(m) && m.contains("Call-ID: " + call.callId));
        assertTrue(ok != null && ok.startsWith("SIP/2.0 200"), "answered: " + ok);
        call.toTag = SipReinviteTest.group(ok, "To: [^\\r\\n]*;tag=([^;\\r\\n]+)");
        call.send(call.request("ACK", null, ""));
        return ok;
    }

    @Test
    void linphonesOpusOfferJoinsWithKeysOnBothEventsMutesAndReportsRtcp() throws Exception {
        E2e.skipUnlessE2e();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RoundtableServer server = E2e.sipServer(); DatagramSocket sip = new DatagramSocket(0, lo); Media phone = new Media(false);
             WsClient ann = WsClient.open(server.httpPort())) {
            sip.setSoTimeout(100);
            assertEquals("joined", ann.send("{\"type\":\"join\",\"meeting\":\"777060\",\"name\":\"Ann\"}").path("type").asText());
            SipAdmissionTest.Call call = new SipAdmissionTest.Call(sip, server.config.sip().port(), "linphone", "1000");
            String ok = connect(call, fixture("linphone-5.1-opus-g711.sdp", phone.rtp.getLocalPort()));
            String sdp = ok.substring(ok.indexOf("v=0"));
            assertTrue(sdp.contains("m=audio ") && sdp.matches("(?s).*m=audio \\d+ RTP/AVP 96 97\r\n.*"), sdp);
            assertTrue(sdp.contains("a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\n"), sdp);
            assertTrue(sdp.contains("a=rtpmap:97 telephone-event/48000\r\n"), "the event at Opus's clock rate: " + sdp);
            assertFalse(sdp.contains("rtcp-mux"), sdp);
            int legPort = Integer.parseInt(SipReinviteTest.group(sdp, "m=audio (\\d+) "));
            int rtcpPort = Integer.parseInt(SipReinviteTest.group(sdp, "a=rtcp:(\\d+)"));
            phone.leg = new InetSocketAddress(lo, legPort);
            assertTrue(waitFor(5_000, () -> phone.packetsHeard.get() > 5), "the phone hears the IVR");
            assertEquals(96, phone.ourPt.get(), "we send on the answered Opus PT");

            // hotline: the meeting number on the 48000 event (as answered), then on the 8000 one (offered too); no password
            phone.audio(10);
            phone.keys("7770", 97, 48000);
            phone.keys("60#", 101, 8000);
            phone.keys("#", 97, 48000);
            JsonNode joined = member(ann, "Phone linphone", null, 10_000);
            assertNotNull(joined, "the phone joined through the IVR");
            assertFalse(joined.path("muted").asBoolean());

            // *7 on the 8000 event: muted; *8 on the 48000 one: unmuted
            phone.audio(5);
            phone.keys("*7", 101, 8000);
            JsonNode muted = member(ann, "Phone linphone", "muted", 5_000);
            assertNotNull(muted, "*7 mutes the phone");
            assertEquals("self", muted.path("mutedBy").asText());
            phone.keys("*8", 97, 48000);
            assertNotNull(member(ann, "Phone linphone", "unmuted", 5_000), "*8 unmutes it");

            // RTCP: the phone's SR to our a=rtcp port is counted; our report about its stream echoes the SR (LSR)
            double srBefore = metric(server, "in", "sr");
            long ntp = Rtcp.ntpFromMillis(System.currentTimeMillis());
            byte[] sr = phoneSr(ntp, phone.ourSsrc.get(), 1000);
            phone.rtcp.send(new DatagramPacket(sr, sr.length, new InetSocketAddress(lo, rtcpPort)));
            assertTrue(waitFor(3_000, () -> metric(server, "in", "sr") > srBefore), "the phone's SR is counted");
            assertTrue(metric(server, "in", "sdes") >= 1);
            byte[] bad = {(byte) 0x80, (byte) Rtcp.RR, 0, 9, 1, 2, 3, 4};   // says 40 bytes, has 8
            double droppedBefore = metric(server, "dropped", "malformed");
            phone.rtcp.send(new DatagramPacket(bad, bad.length, new InetSocketAddress(lo, rtcpPort)));
            assertTrue(waitFor(3_000, () -> metric(server, "dropped", "malformed") > droppedBefore), "bad RTCP is a counted drop");
            phone.rtcpIn.clear();
            phone.audio(5);
            byte[] report = null;
            long end = System.currentTimeMillis() + 12_000;
            while (report == null && System.currentTimeMillis() < end) {
                byte[] r = phone.reportAboutPhone(end - System.currentTimeMillis());
                if (r != null && Rtcp.blockLsr(r, block(r, PHONE_SSRC)) != 0) report = r;
            }
            assertNotNull(report, "our RTCP, on the phone's RTCP port, reports on the phone's stream after its SR");
            int q = block(report, PHONE_SSRC);
            assertEquals(Rtcp.ntpMiddle(ntp), Rtcp.blockLsr(report, q), "LSR is the phone's SR");
            assertTrue(Rtcp.blockDlsr(report, q) > 0 && Rtcp.blockDlsr(report, q) < 65536L * 10, "DLSR: under 10 s");
            assertTrue(Rtcp.blockHighestSeq(report, q) >= 100 && Rtcp.blockHighestSeq(report, q) < phone.seq.get(), "the phone's sequence numbers");
            assertEquals(0, Rtcp.blockCumulativeLost(report, q), "nothing lost on loopback");
            assertEquals(Rtcp.SR, Rtcp.packetType(report, 0), "we send, so an SR");
            assertEquals(phone.ourSsrc.get(), Rtcp.senderSsrc(report, 0), "from the SSRC of our RTP");
            assertTrue(Rtcp.srPackets(report, 0) > 50, "our packet count");
            assertTrue(metric(server, "out", "sr") >= 1);
        }
    }

    @Test
    void infoKeysJoinAndMuteAndMuxedRtcpIsAnsweredOnTheRtpPort() throws Exception {
        E2e.skipUnlessE2e();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RoundtableServer server = E2e.sipServer(); DatagramSocket sip = new DatagramSocket(0, lo); Media phone = new Media(true);
             WsClient ann = WsClient.open(server.httpPort())) {
            sip.setSoTimeout(100);
            assertEquals("joined", ann.send("{\"type\":\"join\",\"meeting\":\"777061\",\"name\":\"Ann\"}").path("type").asText());
            SipAdmissionTest.Call call = new SipAdmissionTest.Call(sip, server.config.sip().port(), "bob", "777061");
            String ok = connect(call, fixture("baresip-1.0-rtcp-mux.sdp", phone.rtp.getLocalPort()));
            String sdp = ok.substring(ok.indexOf("v=0"));
            assertTrue(sdp.matches("(?s).*m=audio \\d+ RTP/AVP 9 101\r\n.*") && sdp.contains("a=rtpmap:9 G722/8000\r\n")
                    && sdp.contains("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"), sdp);
            assertTrue(sdp.contains("a=rtcp-mux\r\n") && !sdp.contains("a=rtcp:"), "muxed as offered: " + sdp);
            phone.leg = new InetSocketAddress(lo, Integer.parseInt(SipReinviteTest.group(sdp, "m=audio (\\d+) ")));
            assertTrue(waitFor(5_000, () -> phone.packetsHeard.get() > 5), "the phone hears the IVR");

            // the password prompt (dialled the meeting directly): "#" as INFO
            call.cseq++;
            call.keys("#");
            assertNotNull(member(ann, "Phone bob", null, 10_000), "INFO keys reach the IVR");
            Thread.sleep(500);   // the meeting takes the leg over just after announcing the member
            call.keys("*7");
            JsonNode muted = member(ann, "Phone bob", "muted", 5_000);
            assertNotNull(muted, "*7 as SIP INFO mutes the phone in the meeting");
            assertTrue(muted.path("muted").asBoolean());
            call.keys("*8");
            assertNotNull(member(ann, "Phone bob", "unmuted", 5_000), "*8 as SIP INFO unmutes it");

            // muxed RTCP: an RR to the RTP port is counted, and our report comes back to the RTP port
            for (int i = 0; i < 10; i++) { phone.rtp(9, phone.ts, false, new byte[160]); phone.ts += 160; Thread.sleep(20); }
            double rrBefore = metric(server, "in", "rr");
            byte[] rr = new byte[64];
            int n = Rtcp.writeRrHeader(rr, 0, PHONE_SSRC, 1);
            n += Rtcp.writeReportBlock(rr, n, phone.ourSsrc.get(), 0, 0, 1000, 3, 0, 0);
            phone.rtp.send(new DatagramPacket(rr, n, phone.leg));
            assertTrue(waitFor(3_000, () -> metric(server, "in", "rr") > rrBefore), "the phone's muxed RR is counted");
            byte[] report = phone.reportAboutPhone(12_000);
            assertNotNull(report, "our RTCP comes on the RTP port, about the phone's stream");
            assertEquals(phone.ourSsrc.get(), Rtcp.senderSsrc(report, 0));
            assertEquals(0, Rtcp.blockLsr(report, block(report, PHONE_SSRC)), "no SR from the phone yet: LSR 0");
        }
    }
}
