package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.WsClient;

/**
 * The phone of issue 10, for real: Debian's linphonec (linphone-cli 5.1) with Opus, PCMU and PCMA
 * offers telephone-event at 48000 and 8000, calls the hotline, keys the meeting number and the
 * (empty) password as RFC 4733 (one key a second), joins, mutes itself with *7, and its RTCP reaches us.
 * Needs the test namespace (ops/test.sh) and linphonec.
 */
class LinphoneTest {
    @Test
    void linphoneJoinsThroughTheIvrAndMutesWithStar7() throws Exception {
        E2e.skipUnlessE2e();
        Baresip.requireNamespace();
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/linphonec")), "linphonec (linphone-cli) is not installed");
        Path dir = Files.createTempDirectory("rt-linphone");
        int sipPort = E2e.freeUdpPort(), rtpPort = E2e.freeUdpPort();
        StringBuilder conf = new StringBuilder("[storage]\nuri=null\n[sip]\nsip_port=" + sipPort + "\nsip_tcp_port=-1\ndefault_proxy=-1\n"
                + "[rtp]\naudio_rtp_port=" + rtpPort + "\n[net]\nfirewall_policy=0\n");
        String[][] codecs = {{"opus", "48000", "2", "1"}, {"PCMU", "8000", "1", "1"}, {"PCMA", "8000", "1", "1"},
                {"speex", "16000", "1", "0"}, {"speex", "8000", "1", "0"}, {"G729", "8000", "1", "0"}};
        for (int i = 0; i < codecs.length; i++)
            conf.append("[audio_codec_").append(i).append("]\nmime=").append(codecs[i][0]).append("\nrate=").append(codecs[i][1])
                    .append("\nchannels=").append(codecs[i][2]).append("\nenabled=").append(codecs[i][3]).append('\n');
        Files.writeString(dir.resolve("linphonerc"), conf.toString());
        Path log = dir.resolve("linphonec.log");
        try (RoundtableServer server = E2e.sipServer(); WsClient ann = WsClient.open(server.httpPort())) {
            assertEquals("joined", ann.send("{\"type\":\"join\",\"meeting\":\"777062\",\"name\":\"Ann\"}").path("type").asText());
            Process p = new ProcessBuilder("linphonec", "-c", dir.resolve("linphonerc").toString()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                OutputStream in = p.getOutputStream();
                java.util.function.Consumer<String> type = line -> {
                    try { in.write((line + "\n").getBytes(StandardCharsets.UTF_8)); in.flush(); } catch (Exception e) { throw new RuntimeException(e); }
                };
                Thread.sleep(1500);
                type.accept("call sip:1000@127.0.0.1:" + server.config.sip().port());
                assertTrue(waitFor(15_000, () -> read(log).matches("(?s).*(?i)connected.*") && server.sip.activeCalls() == 1),
                        "linphone's call is up: " + read(log));
                Thread.sleep(1500);
                for (char k : "777062##".toCharArray()) { type.accept(String.valueOf(k)); Thread.sleep(1100); }
                JsonNode joined = PhoneRulesTest.member(ann, "Phone linphone", null, 10_000);
                assertNotNull(joined, "linphone joined through the IVR with its RFC 4733 keys: " + read(log));
                Thread.sleep(500);
                type.accept("*");
                Thread.sleep(1100);
                type.accept("7");
                JsonNode muted = PhoneRulesTest.member(ann, "Phone linphone", "muted", 6_000);
                assertNotNull(muted, "*7 from linphone mutes it");
                assertTrue(waitFor(12_000, () -> PhoneRulesTest.metric(server, "in", "sr") + PhoneRulesTest.metric(server, "in", "rr") >= 1),
                        "linphone's RTCP reports reach our a=rtcp port");
                type.accept("terminate");
                assertTrue(waitFor(10_000, () -> server.sip.activeCalls() == 0), "linphone hung up");
            } finally {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
    }

    static String read(Path log) {
        try { return Files.readString(log); } catch (Exception e) { return ""; }
    }
}
