package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.rtp.Rfc4733;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.mixer.G711;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.meeting.MeetingService;

/**
 * A phone leg (G.711 over plain RTP, as the SIP gateway will attach it) in a meeting with a Chromium
 * member: the browser hears the phone (packets and audio energy), the phone hears the browser through
 * the mixer, and *7 / *8 keyed by the phone mute and unmute it for everyone.
 */
class PhoneInMeetingTest {
    @Test
    void browserAndPhoneHearEachOther() throws Exception {
        E2e.skipUnlessE2e();
        try (RoundtableServer server = E2e.server(false); Browser b = new Browser();
             DatagramSocket phone = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            String alice = b.open(server.url() + "?meeting=phones&autojoin=1&name=Alice");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(alice))));
            MeetingService.PhoneMember pm = server.meetings.joinPhone("phones", "Phone 555", null, AudioCodec.Kind.PCMU, 0, 101,
                    new InetSocketAddress("127.0.0.1", phone.getLocalPort()), m -> {});
            assertTrue(pm.rtpPort() > 0);
            InetSocketAddress leg = new InetSocketAddress("127.0.0.1", pm.rtpPort());

            AtomicLong heardPackets = new AtomicLong();
            java.io.ByteArrayOutputStream heardBytes = new java.io.ByteArrayOutputStream();
            AtomicInteger peak = new AtomicInteger();
            AtomicInteger seq = new AtomicInteger();
            AtomicLong ts = new AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread sender = new Thread(() -> {
                try {
                    long start = System.nanoTime();
                    for (int f = 0; running.get(); f++) {
                        byte[] pkt = new byte[172];
                        pkt[0] = (byte) 0x80;
                        RtpPacket.setSequence(pkt, 0, seq.getAndIncrement());
                        RtpPacket.setTimestamp(pkt, 0, ts.getAndAdd(160));
                        RtpPacket.setSsrc(pkt, 0, 0x5555);
                        for (int j = 0; j < 160; j++) pkt[12 + j] = G711.linearToUlaw((int) (8000 * Math.sin(2 * Math.PI * 1000 * (f * 160 + j) / 8000.0)));
                        phone.send(new DatagramPacket(pkt, pkt.length, leg));
                        long due = start + (f + 1) * 20_000_000L;
                        while (System.nanoTime() < due) Thread.sleep(1);
                    }
                } catch (Exception ignored) { /* socket closed at the end */ }
            }, "phone-sender");
            Thread receiver = new Thread(() -> {
                byte[] buf = new byte[1500];
                try {
                    phone.setSoTimeout(100);
                    while (running.get()) {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        try { phone.receive(p); } catch (SocketTimeoutException e) { continue; }
                        if (p.getLength() <= 12 || RtpPacket.payloadType(buf, 0) != 0) continue;
                        heardPackets.incrementAndGet();
                        synchronized (heardBytes) { heardBytes.write(buf, 12, p.getLength() - 12); }
                        for (int j = 12; j < p.getLength(); j++) peak.accumulateAndGet(Math.abs(G711.ulawToLinear(buf[j])), Math::max);
                    }
                } catch (Exception ignored) { /* closed */ }
            }, "phone-receiver");
            sender.start();
            receiver.start();
            try {
                // the browser hears the phone: a member of kind sip, audio packets with energy
                assertTrue(waitFor(10_000, () -> E2e.hears(b, alice, "Phone 555", 50)), "the browser receives the phone's audio: " + b.stats(alice));
                assertEquals("sip", E2e.member(b, alice, "Phone 555").get("kind"));
                // the phone hears the browser (Chromium's fake microphone beeps) through the mixer
                assertTrue(waitFor(10_000, () -> heardPackets.get() > 100 && peak.get() > 500),
                        "the phone hears the meeting: " + heardPackets.get() + " packets, peak " + peak.get());

                // *7 mutes the phone for everyone; *8 brings it back
                keys(phone, leg, new int[] {10, 7}, seq, ts);
                assertTrue(waitFor(5_000, () -> Boolean.TRUE.equals(E2e.member(b, alice, "Phone 555").get("muted"))), "*7: muted");
                Thread.sleep(800);
                long a0 = E2e.audio(E2e.statsOf(b, alice, "Phone 555"));
                Thread.sleep(1500);
                assertEquals(a0, E2e.audio(E2e.statsOf(b, alice, "Phone 555")), "no audio from a phone muted with *7");
                keys(phone, leg, new int[] {10, 8}, seq, ts);
                assertTrue(waitFor(5_000, () -> Boolean.FALSE.equals(E2e.member(b, alice, "Phone 555").get("muted"))), "*8: unmuted");
                assertTrue(waitFor(5_000, () -> E2e.audio(E2e.statsOf(b, alice, "Phone 555")) > a0 + 20), "audio flows again after *8");
                // #7 by a member without the record permission changes nothing, and they hear "not permitted"
                synchronized (heardBytes) { heardBytes.reset(); }
                keys(phone, leg, new int[] {11, 7}, seq, ts);
                byte[] prompt = org.roundtable.signaling.sip.Prompts.get("not-allowed");
                byte[] frame = java.util.Arrays.copyOfRange(prompt, 1600, 1760);   // 200 ms into the prompt
                assertTrue(waitFor(5_000, () -> { synchronized (heardBytes) { return indexOf(heardBytes.toByteArray(), frame) >= 0; } }),
                        "the phone hears the 'not permitted' prompt");
                assertEquals(Boolean.FALSE, b.js(alice, "return window.roundtable.recording;"));
            } finally {
                running.set(false);
                sender.join(2000);
                receiver.join(2000);
            }
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** Keys sent as RFC 4733 events (in the audio's sequence and timestamp space). */
    static void keys(DatagramSocket phone, InetSocketAddress leg, int[] events, AtomicInteger seq, AtomicLong ts) throws Exception {
        for (int event : events) {
            long t = ts.get();
            for (int k = 1; k <= 5; k++) {
                byte[] pkt = new byte[16];
                pkt[0] = (byte) 0x80;
                pkt[1] = 101;
                RtpPacket.setSequence(pkt, 0, seq.getAndIncrement());
                RtpPacket.setTimestamp(pkt, 0, t);
                RtpPacket.setSsrc(pkt, 0, 0x5555);
                System.arraycopy(Rfc4733.payload(event, k > 2, 10, k * 160), 0, pkt, 12, 4);
                phone.send(new DatagramPacket(pkt, 16, leg));
                Thread.sleep(20);
            }
            Thread.sleep(150);
        }
    }

}
