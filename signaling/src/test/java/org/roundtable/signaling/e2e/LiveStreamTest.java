package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.frames;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.roundtable.recorder.Recording;
import org.roundtable.signaling.RoundtableServer;

/**
 * A browser meeting goes live from the SDK (issue 13) while it is recorded: the built-in LL-HLS stream
 * plays in ffmpeg without errors and its playlist has parts (a blocking reload returns when the part is
 * made); the RTMP push reaches nginx-rtmp as H.264 + AAC and comes back by itself after nginx drops it,
 * without disturbing the recording; the QR code decodes to the live link; a revoked link gets 403;
 * viewers on the viewer page play (one late), and are told when the stream ends. A guest cannot start it.
 */
class LiveStreamTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern HINT = Pattern.compile("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part(\\d+)\\.(\\d+)\\.");

    static HttpResponse<byte[]> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(String url) throws Exception { return new String(get(url).body()); }

    @Test
    @SuppressWarnings("unchecked")
    void aRecordedMeetingGoesLiveOverHlsAndRtmp() throws Exception {
        E2e.skipUnlessE2e();
        try (NginxRtmp nginx = new NginxRtmp(); RoundtableServer server = E2e.server(false); Browser b = new Browser()) {
            String base = server.url() + "?meeting=onair&autojoin=1";
            String ann = b.open(base + "&name=Ann&token=" + RecordingBrowserTest.token("ann", "Ann"));
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(ann))), "Ann joined first: she hosts");
            String ben = b.open(base + "&name=Ben");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(ben))));
            assertTrue(waitFor(20_000, () -> b.stats(ann).size() == 1 && b.stats(ann).stream().allMatch(p -> frames(p) > 0)), "media flows");

            assertEquals(Boolean.TRUE, b.jsAsync(ann, "const cb = arguments[arguments.length-1]; window.roundtable.startRecording().then(() => cb(true), e => cb(e.code));"));
            long recordStart = System.currentTimeMillis();
            String key = "k" + Long.toHexString(System.nanoTime());
            Object refused = b.jsAsync(ben, "const cb = arguments[arguments.length-1]; window.roundtable.startLive({}).then(() => cb('started'), e => cb(e.code));");
            assertEquals("forbidden", refused, "a guest cannot go live");
            Object started = b.jsAsync(ann, "const cb = arguments[arguments.length-1]; window.roundtable.startLive({rtmp: [arguments[0]]})"
                    + ".then(l => cb(l), e => cb(e.code + ': ' + e.message));", nginx.url(key));
            assertTrue(started instanceof Map, "the host goes live: " + started);
            Map<String, Object> live = (Map<String, Object>) started;
            String link = (String) live.get("link"), hls = (String) live.get("hls"), qr = (String) live.get("qr");
            assertTrue(link.matches("http://127\\.0\\.0\\.1:\\d+/live/[A-Za-z0-9_-]{22}"), link);
            assertEquals(link + "/index.m3u8", hls);
            for (String t : List.of(ann, ben))
                assertTrue(waitFor(5_000, () -> link.equals(b.js(t, "return window.roundtable.live && window.roundtable.live.link;"))),
                        "every member sees the live state");

            // LL-HLS: parts in the playlist, and a blocking reload answered when the hinted part is made
            assertTrue(waitFor(15_000, () -> { try { return text(hls).contains("#EXT-X-PART:"); } catch (Exception e) { return false; } }),
                    "the playlist has parts");
            String playlist = text(hls);
            assertTrue(playlist.contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES"), playlist);
            Matcher h = HINT.matcher(playlist);
            assertTrue(h.find(), "a preload hint: " + playlist);
            long t0 = System.nanoTime();
            HttpResponse<byte[]> blocked = get(hls + "?_HLS_msn=" + h.group(1) + "&_HLS_part=" + h.group(2));
            double waitedMs = (System.nanoTime() - t0) / 1e6;
            assertEquals(200, blocked.statusCode());
            assertTrue(new String(blocked.body()).contains("part" + h.group(1) + "." + h.group(2) + "."), "the reload holds the part it waited for");
            System.out.printf("[e2e] live: blocking reload for part %s.%s answered after %.0f ms%n", h.group(1), h.group(2), waitedMs);
            assertTrue(waitedMs < 1500, "answered when the part was made (a part is ~334 ms): " + waitedMs);
            String decoded = MediaFiles.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", hls, "-t", "10", "-f", "null", "-"));
            assertEquals("", decoded.trim(), "ffmpeg plays 10 s of the live playlist without errors");

            // RTMP: nginx has H.264 + AAC; a drop comes back by itself
            JsonNode pushed = probe(nginx.url(key));
            assertNotNull(MediaFiles.stream(pushed, "video"), "video pushed: " + pushed);
            assertEquals("h264", MediaFiles.stream(pushed, "video").path("codec_name").asText());
            assertEquals("aac", MediaFiles.stream(pushed, "audio").path("codec_name").asText());
            assertTrue(nginx.dropPublisher(key) >= 1, "nginx dropped the publisher");
            long dropped = System.nanoTime();
            assertTrue(waitFor(3_000, () -> !nginx.publishing(key)), "the publisher is gone for a moment");
            assertTrue(waitFor(10_000, () -> nginx.publishing(key) && targetState(b, ann).equals("live")), "the push comes back within 10 s: " + targetState(b, ann));
            System.out.printf("[e2e] live: RTMP push back %.1f s after nginx dropped it%n", (System.nanoTime() - dropped) / 1e9);
            assertNotNull(MediaFiles.stream(probe(nginx.url(key)), "video"), "the pushed stream plays again");
            Map<String, Object> status = (Map<String, Object>) b.jsAsync(ann, "const cb = arguments[arguments.length-1]; window.roundtable.liveStatus().then(cb, e => cb({error: e.code}));");
            Map<String, Object> target = ((List<Map<String, Object>>) status.get("targets")).get(0);
            assertTrue(((Number) target.get("reconnects")).intValue() >= 1, "the host sees the reconnect: " + status);
            assertTrue(!String.valueOf(target.get("url")).contains(key), "the stream key is not shown: " + target.get("url"));

            // the QR code is the link
            HttpResponse<byte[]> png = get(qr);
            assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
            assertEquals(link, decodeQr(png.body()), "the QR code decodes to the live link");

            // revoke: the old link is refused, a new one works
            Map<String, Object> renewed = (Map<String, Object>) b.jsAsync(ann, "const cb = arguments[arguments.length-1]; window.roundtable.revokeLiveLink().then(cb, e => cb({error: e.code}));");
            String link2 = (String) renewed.get("link");
            assertNotNull(link2, "a new link: " + renewed);
            assertTrue(!link2.equals(link));
            assertEquals(403, get(link).statusCode(), "the revoked link's page is refused");
            assertEquals(403, get(hls).statusCode(), "the revoked link's playlist is refused");
            assertEquals(200, get(link2 + "/index.m3u8").statusCode(), "the new link plays");
            assertEquals(404, get(link.substring(0, link.lastIndexOf('/') + 1) + "AAAAAAAAAAAAAAAAAAAAAA").statusCode(), "a guessed link is unknown");

            // viewers on the page: both play, the second joining late; they are told when it ends
            String v1 = b.open(link2);
            assertTrue(waitFor(20_000, () -> playing(b, v1, 1.0)), "the viewer page plays: " + viewer(b, v1));
            String v2 = b.open(link2);
            assertTrue(waitFor(20_000, () -> playing(b, v2, 1.0)), "a late viewer plays too: " + viewer(b, v2));
            assertTrue(waitFor(5_000, () -> b.js(v1, "return document.getElementById('subject').textContent;") != null));
            assertEquals(Boolean.TRUE, b.jsAsync(ann, "const cb = arguments[arguments.length-1]; window.roundtable.stopLive().then(() => cb(true), e => cb(e.code));"));
            assertTrue(waitFor(5_000, () -> b.js(ben, "return window.roundtable.live;") == null), "members see the stream end");
            for (String v : List.of(v1, v2))
                assertTrue(waitFor(10_000, () -> "ended".equals(b.js(v, "return window.roundtableViewer && window.roundtableViewer.state;"))),
                        "the page says ended: " + viewer(b, v));
            assertTrue(String.valueOf(b.js(v1, "return document.getElementById('status').textContent;")).contains("ended"));

            // the recording went on through all of it
            assertEquals(Boolean.TRUE, b.jsAsync(ann, "const cb = arguments[arguments.length-1]; window.roundtable.stopRecording().then(() => cb(true), e => cb(e.code));"));
            long recordedMs = System.currentTimeMillis() - recordStart;
            List<Recording> rows = new ArrayList<>(server.recordings.files("onair"));
            assertEquals(1, rows.size(), "one recording: " + rows);
            Recording r = rows.get(0);
            assertEquals(Recording.COMPLETE, r.state(), "the recording was not interrupted");
            double dur = MediaFiles.durationSeconds(MediaFiles.probe(server.recordings.fileOf(r)));
            System.out.printf("[e2e] live: recording %.1f s of %.1f s recorded beside the live stream%n", dur, recordedMs / 1000.0);
            assertTrue(Math.abs(dur - recordedMs / 1000.0) < 1.5, "the recording lasts as long as it was recorded: " + dur);
        }
    }

    static JsonNode probe(String url) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(MediaFiles.run(List.of("ffprobe", "-v", "error", "-rw_timeout", "5000000",
                "-show_streams", "-show_format", "-of", "json", url)));
    }

    @SuppressWarnings("unchecked")
    static String targetState(Browser b, String host) {
        Object s = b.jsAsync(host, "const cb = arguments[arguments.length-1]; window.roundtable.liveStatus().then(cb, e => cb({error: e.code}));");
        if (!(s instanceof Map)) return String.valueOf(s);
        List<Map<String, Object>> ts = (List<Map<String, Object>>) ((Map<String, Object>) s).get("targets");
        return ts == null || ts.isEmpty() ? "none" : String.valueOf(ts.get(0).get("state"));
    }

    static String viewer(Browser b, String tab) {
        return String.valueOf(b.js(tab, "const v = window.roundtableViewer; return v ? JSON.stringify({state: v.state, t: v.video.currentTime,"
                + " ready: v.video.readyState, err: v.video.error && v.video.error.message, status: document.getElementById('status').textContent}) : 'no page';"));
    }

    static boolean playing(Browser b, String tab, double seconds) {
        Object t = b.js(tab, "const v = window.roundtableViewer; return v && v.state === 'live' ? v.video.currentTime : -1;");
        return t instanceof Number n && n.doubleValue() >= seconds;
    }

    static String decodeQr(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int w = img.getWidth(), h = img.getHeight();
        int[] px = img.getRGB(0, 0, w, h, null, 0, w);
        java.util.Map<com.google.zxing.DecodeHintType, Object> hints = java.util.Map.of(com.google.zxing.DecodeHintType.TRY_HARDER, Boolean.TRUE,
                com.google.zxing.DecodeHintType.PURE_BARCODE, Boolean.TRUE);
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(w, h, px))), hints).getText();
    }
}
