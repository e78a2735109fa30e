package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.audio;
import static org.roundtable.signaling.e2e.E2e.frames;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.io.File;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;

/**
 * WHIP ingest with ffmpeg's whip muxer (H.264 + Opus) seen by a browser member, and a WHEP viewer (a
 * plain RTCPeerConnection in Chromium speaking WHEP over fetch) receiving a browser member's stream.
 */
class WhipWhepTest {

    static final String WHEP_SCRIPT = String.join("\n",
            "const [url, done] = [arguments[0], arguments[arguments.length - 1]];",
            "(async () => {",
            "  const pc = new RTCPeerConnection();",
            "  pc.addTransceiver('audio', {direction: 'recvonly'});",
            "  pc.addTransceiver('video', {direction: 'recvonly'});",
            "  await pc.setLocalDescription(await pc.createOffer());",
            "  await new Promise(r => { if (pc.iceGatheringState === 'complete') r(); else pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 2000); });",
            "  const res = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/sdp'}, body: pc.localDescription.sdp});",
            "  if (res.status !== 201) throw new Error('WHEP POST status ' + res.status + ': ' + await res.text());",
            "  const location = res.headers.get('Location');",
            "  await pc.setRemoteDescription({type: 'answer', sdp: await res.text()});",
            "  let frames = 0, packets = 0;",
            "  for (let i = 0; i < 100 && !(frames > 0 && packets > 0); i++) {",
            "    await new Promise(r => setTimeout(r, 100));",
            "    frames = 0; packets = 0;",
            "    (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp') { if (s.kind === 'video') frames += s.framesDecoded || 0; else packets += s.packetsReceived || 0; } });",
            "  }",
            "  const del = await fetch(location, {method: 'DELETE'});",
            "  pc.close();",
            "  return {frames, packets, location, deleteStatus: del.status};",
            "})().then(done, e => done({error: String(e)}));");

    @Test
    @SuppressWarnings("unchecked")
    void whipPublisherIsSeenAndWhepViewerWatches() throws Exception {
        E2e.skipUnlessE2e();
        try (RoundtableServer server = E2e.server(false, 10_000); Browser b = new Browser()) {
            String alice = b.open(server.url() + "?meeting=broadcast&autojoin=1&name=Alice");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(alice))));

            File log = Files.createTempFile("ffmpeg-whip", ".log").toFile();
            Process ff = FfmpegBinary.command("-hide_banner", "-nostdin", "-re",
                    "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", "30", "-c:v", "libopenh264", "-profile:v", "constrained_baseline", "-b:v", "1M",
                    "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p", "-c:a", "libopus", "-ar", "48000", "-ac", "2",
                    "-f", "whip", server.url() + "whip/broadcast?name=Studio")
                    .redirectErrorStream(true).redirectOutput(log).start();
            try {
                assertTrue(waitFor(20_000, () -> b.stats(alice).stream()
                        .anyMatch(p -> "Studio".equals(p.get("name")) && frames(p) > 0 && audio(p) > 0)),
                        "the browser decodes the WHIP publisher's H.264 and receives its Opus: " + b.stats(alice)
                                + "\nffmpeg: " + Files.readString(log.toPath()));

                // WHEP: a viewer subscribes to Alice's camera and microphone
                String aliceId = (String) b.js(alice, "return window.roundtable.id;");
                String viewer = b.open(server.url());
                Map<String, Object> r = (Map<String, Object>) b.jsAsync(viewer, WHEP_SCRIPT, server.url() + "whep/broadcast/" + aliceId);
                assertTrue(r.get("error") == null, "WHEP viewer: " + r);
                assertTrue(((Number) r.get("frames")).longValue() > 0, "WHEP viewer decodes video: " + r);
                assertTrue(((Number) r.get("packets")).longValue() > 0, "WHEP viewer receives audio: " + r);
                assertTrue(((String) r.get("location")).startsWith("/whep/broadcast/" + aliceId + "/"), "resource URL: " + r);
                assertEquals(200, ((Number) r.get("deleteStatus")).intValue(), "DELETE ends the WHEP session");

                // a WHEP POST for a meeting that is not there is refused, and counted apart
                var refused = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create(server.url() + "whep/nosuch/" + aliceId)).header("Content-Type", "application/sdp")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("v=0\r\n")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertTrue(refused.statusCode() >= 400, "refused: " + refused.statusCode());
                String h = "roundtable_whip_whep_answer_seconds";
                double whepCreated = E2e.metric(server, h + "_count{kind=\"whep\",outcome=\"created\"}");
                assertEquals(1.0, whepCreated, "the WHEP answer's time is a metric");
                assertEquals(1.0, E2e.metric(server, h + "_count{kind=\"whip\",outcome=\"created\"}"), "and the WHIP answer's");
                assertEquals(1.0, E2e.metric(server, h + "_count{kind=\"whep\",outcome=\"refused\"}"), "and the refusal's, apart");
                System.out.printf("[e2e] WHEP answered in %.1f ms, WHIP in %.1f ms%n",
                        E2e.metric(server, h + "_sum{kind=\"whep\",outcome=\"created\"}") * 1000,
                        E2e.metric(server, h + "_sum{kind=\"whip\",outcome=\"created\"}") * 1000);
            } finally {
                ff.destroyForcibly();      // SIGKILL: no DELETE, as when a publisher's machine dies
                ff.waitFor(5, TimeUnit.SECONDS);
            }
            // the publisher is gone from the meeting once its ICE consent expires, and so is its resource
            assertTrue(waitFor(20_000, () -> b.stats(alice).stream().noneMatch(p -> "Studio".equals(p.get("name")))),
                    "WHIP publisher left: " + b.stats(alice));
            assertTrue(waitFor(5_000, () -> server.httpApi.openResources() == 0), "no WHIP/WHEP resource left behind");
        }
    }
}
