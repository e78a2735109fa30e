package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.audio;
import static org.roundtable.signaling.e2e.E2e.frames;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;

/**
 * Three real Chromium participants meet through the SFU: each decodes video and receives audio from both
 * others; one leaves and disappears for the others; a fourth joins late and decodes a frame from each of
 * the others within 2 seconds (so keyframe requests work).
 */
class MeetingBrowserTest {

    @Test
    void threePeopleMeetOneLeavesAFourthJoinsLate() throws Exception {
        E2e.skipUnlessE2e();
        try (RoundtableServer server = E2e.server(false); Browser b = new Browser()) {
            String base = server.url() + "?meeting=standup&autojoin=1&name=";
            long t0 = System.currentTimeMillis();
            String alice = b.open(base + "Alice");
            String bob = b.open(base + "Bob");
            String carol = b.open(base + "Carol");
            for (String t : List.of(alice, bob, carol)) {
                assertTrue(waitFor(20_000, () -> "joined".equals(b.state(t))), "tab joined, state=" + b.state(t));
            }
            long joinedAt = System.currentTimeMillis();
            for (String t : List.of(alice, bob, carol)) {
                assertTrue(waitFor(20_000, () -> {
                    List<Map<String, Object>> s = b.stats(t);
                    return s.size() == 2 && s.stream().allMatch(p -> frames(p) > 0 && audio(p) > 0);
                }), "each participant decodes video and receives audio from both others: " + b.stats(t));
            }
            System.out.printf("[e2e] 3 participants: all joined %d ms after the first tab opened; every stream flowing %d ms later%n",
                    joinedAt - t0, System.currentTimeMillis() - joinedAt);
            // media keeps flowing; measure the media loop's CPU per forwarded packet meanwhile
            long before = frames(b.stats(alice).get(0));
            var m = server.bridge.metrics;
            long cpu0 = server.bridge.mediaCpuNanos();
            double out0 = m.audioPktsOut.get() + m.videoPktsOut.get(), in0 = m.audioPktsIn.get() + m.videoPktsIn.get();
            Thread.sleep(3000);
            long cpu1 = server.bridge.mediaCpuNanos();
            double out1 = m.audioPktsOut.get() + m.videoPktsOut.get(), in1 = m.audioPktsIn.get() + m.videoPktsIn.get();
            System.out.printf("[e2e] 3 participants, 3 s window: %.0f packets in, %.0f forwarded, media-loop CPU %.1f ms = %.1f us per forwarded packet (%.0f forwarded packets per media-loop CPU-second)%n",
                    in1 - in0, out1 - out0, (cpu1 - cpu0) / 1e6, (cpu1 - cpu0) / 1e3 / (out1 - out0), (out1 - out0) / ((cpu1 - cpu0) / 1e9));
            assertTrue(frames(b.stats(alice).get(0)) > before + 5, "video keeps being decoded");

            // Carol leaves: her tile and streams go away for the others
            b.js(carol, "window.roundtable.leave();");
            assertTrue(waitFor(5_000, () -> "left".equals(b.state(carol))));
            for (String t : List.of(alice, bob)) {
                assertTrue(waitFor(5_000, () -> b.stats(t).size() == 1
                        && ((Number) b.js(t, "return document.querySelectorAll('.tile.remote').length;")).intValue() == 1),
                        "Carol is gone for the others");
            }
            b.closeTab(carol);

            // Dave joins late: a frame from each of the others within 2 s of joining
            String dave = b.open(base + "Dave");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(dave))), "Dave joined");
            long daveJoined = System.currentTimeMillis();
            assertTrue(waitFor(2_000, () -> {
                List<Map<String, Object>> s = b.stats(dave);
                return s.size() == 2 && s.stream().allMatch(p -> frames(p) > 0);
            }), "late joiner decodes a frame from each of the others within 2 s: " + b.stats(dave));
            long firstFrames = System.currentTimeMillis() - daveJoined;
            System.out.printf("[e2e] late joiner: first remote frame from every other participant %d ms after joining%n", firstFrames);
            for (String t : List.of(alice, bob)) {
                assertTrue(waitFor(10_000, () -> b.stats(t).stream().anyMatch(p -> "Dave".equals(p.get("name")) && frames(p) > 0 && audio(p) > 0)),
                        "the others get Dave's media");
            }

            // Garbage at the media port while the meeting runs: dropped, counted, and the meeting carries on
            var metrics = server.bridge.metrics;
            double dropsBefore = java.util.Arrays.stream(org.roundtable.bridge.metrics.DropReason.values()).mapToLong(metrics::dropped).sum();
            try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
                java.util.Random rnd = new java.util.Random(7);
                for (int i = 0; i < 1000; i++) {
                    byte[] g = new byte[1 + rnd.nextInt(1200)];
                    rnd.nextBytes(g);
                    if (i % 4 == 1) g[0] = 0x00;                 // looks like STUN
                    if (i % 4 == 2) g[0] = 22;                   // looks like DTLS
                    if (i % 4 == 3) g[0] = (byte) 0x80;          // looks like RTP
                    s.send(new java.net.DatagramPacket(g, g.length, java.net.InetAddress.getByName("127.0.0.1"), server.bridge.udpPort()));
                }
            }
            assertTrue(waitFor(5_000, () -> java.util.Arrays.stream(org.roundtable.bridge.metrics.DropReason.values()).mapToLong(metrics::dropped).sum() >= dropsBefore + 1000),
                    "1000 garbage datagrams dropped and counted");
            long f0 = frames(b.stats(dave).get(0));
            assertTrue(waitFor(5_000, () -> frames(b.stats(dave).get(0)) > f0 + 10), "video still decoded after the garbage");

            // A receive-only member (no camera or microphone, like a mobile viewer) gets everyone's media
            String eve = b.open(server.url() + "?meeting=standup&autojoin=1&media=none&name=Eve");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(eve))), "Eve joined");
            assertTrue(waitFor(5_000, () -> {
                List<Map<String, Object>> s = b.stats(eve);
                return s.size() == 3 && s.stream().allMatch(p -> frames(p) > 0 && audio(p) > 0);
            }), "receive-only member decodes everyone: " + b.stats(eve));
            assertEquals(0L, server.bridge.metrics.dropped(org.roundtable.bridge.metrics.DropReason.SRTP_AUTH), "no SRTP authentication failures");
        }
    }
}
