package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.registry.MeetingSpec;

/**
 * Phone callers through the SIP gateway, with sipp as the PBX's trunk: a caller dials the hotline, keys
 * the meeting number and password as RFC 4733 events (a coherent pcap from the shared harness's
 * generator), and a Chromium member receives its audio; three wrong passwords end the call.
 */
class SipCallTest {
    static final String GEN = "../../shared/harness/sip/gen_rtp_pcap.py";

    static Path pcap(Path dir, String digits, double tail) throws Exception {
        File gen = new File(GEN).exists() ? new File(GEN) : new File("../shared/harness/sip/gen_rtp_pcap.py");
        assertTrue(gen.exists(), "the shared harness's pcap generator (" + gen.getAbsolutePath() + ")");
        Process p = new ProcessBuilder("python3", gen.getAbsolutePath(), dir.resolve("ivr.pcap").toString(), "--codec", "pcma",
                "--digits", digits, "--lead", "1.5", "--gap", "0.25", "--tail", Double.toString(tail)).redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        return dir;
    }

    static Process sipp(Path dir, String scenario, int sipPort, int localPort, int mediaPort) throws Exception {
        Path sc = dir.resolve(scenario);
        try (var in = SipCallTest.class.getClassLoader().getResourceAsStream("sip/" + scenario)) { Files.copy(in, sc); }
        return new ProcessBuilder("sipp", "-sf", sc.toString(), "-s", "1000", "127.0.0.1:" + sipPort, "-i", "127.0.0.1",
                "-p", Integer.toString(localPort), "-mi", "127.0.0.1", "-mp", Integer.toString(mediaPort), "-m", "1",
                "-timeout", "40s", "-timeout_error", "-nd").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sipp.log").toFile()).start();
    }

    @Test
    void hotlineCallerJoinsAndWrongPasswordsHangUp() throws Exception {
        E2e.skipUnlessE2e();
        try (RoundtableServer server = E2e.sipServer(); Browser b = new Browser()) {
            int sipPort = server.config.sip().port();
            String alice = b.open(server.url() + "?meeting=777001&autojoin=1&name=Alice");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(alice))));

            // hotline -> meeting number 777001 # -> (no password in this open meeting) #
            Path dir = pcap(Files.createTempDirectory("rt-sip"), "777001##", 10);
            int sippMedia = E2e.freeUdpPort();
            Process call = sipp(dir, "uac_ivr.xml", sipPort, E2e.freeUdpPort(), sippMedia);
            try {
                assertTrue(waitFor(20_000, () -> E2e.hears(b, alice, "sipp", 50)), "the browser hears the phone caller: " + b.stats(alice));
                assertEquals("sip", E2e.member(b, alice, "sipp").get("kind"));
                System.out.printf("[e2e] phone caller joined %d ms after the last password key%n", server.sip.lastJoinDelayMs());
                // sipp receives the browser's audio as G.711 (PCMA, what it offered first): Chromium's fake microphone beeps
                RtpCapture capture = new RtpCapture(sippMedia);
                Thread.sleep(3000);
                List<RtpCapture.Rtp> heard = capture.stop();
                long pcma = heard.stream().filter(r -> r.pt() == 8).count();
                int peak = heard.stream().filter(r -> r.pt() == 8).flatMapToInt(r -> java.util.stream.IntStream.range(0, r.payload().length)
                        .map(i -> Math.abs(org.roundtable.mixer.G711.alawToLinear(r.payload()[i])))).max().orElse(0);
                System.out.printf("[e2e] sipp was sent %d PCMA packets in 3 s (of %d RTP), peak level %d%n", pcma, heard.size(), peak);
                assertTrue(pcma >= 100 && pcma == heard.size(), "sipp is sent the meeting as PCMA: " + pcma + " of " + heard.size() + " packets in 3 s");
                assertTrue(peak > 500, "and it is the browser's beep, not silence: peak " + peak);
                assertTrue(call.waitFor(40, TimeUnit.SECONDS), "sipp finished");
                assertEquals(0, call.exitValue(), "the call completed: " + Files.readString(dir.resolve("sipp.log")));
                assertTrue(waitFor(5_000, () -> E2e.statsOf(b, alice, "sipp") == null), "the caller left on BYE");
            } finally {
                call.destroy();
            }

            // a registry meeting with a password: three wrong tries end the call
            var m = server.meetingRegistry.create(new Identity("ann", "Ann", java.util.Set.of()),
                    new MeetingSpec("instant", "Board", null, null, List.of(), "654321", true, false));
            String n = m.number();
            Path dir2 = pcap(Files.createTempDirectory("rt-sip"), n + "#1111#" + n + "#2222#" + n + "#3333#", 12);
            Process rejected = sipp(dir2, "uac_ivr_rejected.xml", sipPort, E2e.freeUdpPort(), E2e.freeUdpPort());
            try {
                assertTrue(rejected.waitFor(45, TimeUnit.SECONDS), "sipp finished");
                assertEquals(0, rejected.exitValue(), "the server hung up after three wrong passwords: " + Files.readString(dir2.resolve("sipp.log")));
            } finally {
                rejected.destroy();
            }
            assertEquals(0, server.sip.activeCalls());
            assertEquals(3.0, E2e.metric(server, "roundtable_ivr_attempts_total{result=\"denied\"}"), "three wrong entries counted");
            assertEquals(1.0, E2e.metric(server, "roundtable_ivr_attempts_total{result=\"joined\"}"));
            assertEquals(0.0, E2e.metric(server, "roundtable_sip_active_calls"));
            assertTrue(E2e.metric(server, "roundtable_mixer_work_total{op=\"encode\"}") > 0, "the mixer's work is counted");
            assertTrue(E2e.metric(server, "roundtable_mixer_input_losses_total{reason=\"concealed\"}") >= 0, "and its inputs' losses");
        }
    }

    @Test
    void lockedMeetingHoldsTheCallerInTheLobbyUntilAdmitted() throws Exception {
        E2e.skipUnlessE2e();
        try (RoundtableServer server = E2e.sipServer(); Browser b = new Browser()) {
            int sipPort = server.config.sip().port();
            String alice = b.open(server.url() + "?meeting=777002&autojoin=1&name=Alice");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(alice))));
            b.js(alice, "window.roundtable.lock();");
            assertTrue(waitFor(5_000, () -> Boolean.TRUE.equals(b.js(alice, "return window.roundtable.locked;"))));
            Path dir = pcap(Files.createTempDirectory("rt-sip"), "777002##", 10);
            Process call = sipp(dir, "uac_ivr.xml", sipPort, E2e.freeUdpPort(), E2e.freeUdpPort());
            try {
                assertTrue(waitFor(15_000, () -> Boolean.TRUE.equals(E2e.member(b, alice, "sipp").get("inLobby"))),
                        "the host sees the caller waiting in the lobby");
                Thread.sleep(1000);
                assertTrue(E2e.statsOf(b, alice, "sipp") == null, "no media from a caller in the lobby");
                String id = (String) E2e.member(b, alice, "sipp").get("id");
                b.js(alice, "window.roundtable.admit('" + id + "');");
                assertTrue(waitFor(10_000, () -> E2e.hears(b, alice, "sipp", 20)), "once admitted, the caller is heard: " + b.stats(alice));
                assertTrue(call.waitFor(40, TimeUnit.SECONDS));
                assertEquals(0, call.exitValue(), Files.readString(dir.resolve("sipp.log")));
            } finally {
                call.destroy();
            }
        }
    }
}
