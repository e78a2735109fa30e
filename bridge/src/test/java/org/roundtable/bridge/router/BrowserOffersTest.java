package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.sdp.Sdp;

/**
 * Answers to real browser offers (fixtures captured from Debian's Firefox ESR 153 and Chromium 156 joining
 * through the web client): Firefox's max-bundle offer has every section after the first at port 0 with
 * a=bundle-only, which RFC 8843 section 6 makes an active bundled section, not a declined one.
 */
class BrowserOffersTest {
    Bridge bridge;

    @BeforeEach void start() throws Exception {
        bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 1_000_000, false, 30_000, 10_000, 2),
                new BridgeMetrics(new PrometheusRegistry()));
        bridge.start();
    }

    @AfterEach void stop() { bridge.close(); }

    static String fixture(String name) throws Exception {
        try (var in = BrowserOffersTest.class.getResourceAsStream("/sdp/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Endpoint.SourcePicker others(Conference c, String self) {
        return (kind, taken, codecs) -> {
            for (MediaSource s : c.sources()) if (s.kind == kind && !taken.contains(s) && !s.ownerId.equals(self) && codecs.contains(s.codec.name())) return s;
            return null;
        };
    }

    static Sdp.Media section(Sdp answer, String mid) {
        for (Sdp.Media m : answer.media) if (mid.equals(m.mid)) return m;
        throw new AssertionError("no section " + mid);
    }

    @Test void firefoxBundleOnlySectionsAreActive() throws Exception {
        Sdp offer = Sdp.parse(fixture("firefox-153-offer.sdp"));
        assertEquals(4, offer.media.size());
        for (int i = 1; i < 4; i++) {
            Sdp.Media m = offer.media.get(i);
            assertEquals(0, m.port, "Firefox offers port 0 after the first section");
            assertTrue(m.bundleOnly);
            assertTrue(m.active(), "a bundle-only section in the BUNDLE group is active");
        }
        Conference conf = bridge.conference("m");
        Endpoint chromium = bridge.createEndpoint(conf, "c", "chromium", null);
        bridge.call(() -> chromium.negotiate(Sdp.parse(fixture("chromium-156-offer.sdp")), others(conf, "chromium")));
        Endpoint firefox = bridge.createEndpoint(conf, "f", "firefox", null);
        Sdp answer = Sdp.parse(bridge.call(() -> firefox.negotiate(offer, others(conf, "firefox"))));

        assertEquals(List.of("0", "1", "2", "3"), answer.bundleMids, "every section bundled");
        for (Sdp.Media m : answer.media) assertEquals(9, m.port, "section " + m.mid + " accepted");
        assertEquals("recvonly", section(answer, "0").direction, "Firefox's microphone is received");
        assertEquals("recvonly", section(answer, "1").direction, "Firefox's camera is received");
        assertEquals("VP8", section(answer, "1").codecs.get(0).name);
        assertEquals(120, section(answer, "1").codecs.get(0).pt, "Firefox's own payload type");
        assertEquals("sendonly", section(answer, "2").direction, "Chromium's audio is sent to Firefox");
        assertEquals("sendonly", section(answer, "3").direction, "Chromium's video is sent to Firefox");
        assertEquals("chromium", section(answer, "3").msid.split(" ")[0]);
        assertEquals(2, bridge.call(() -> (int) conf.sources().stream().filter(s -> s.ownerId.equals("firefox")).count()),
                "Firefox publishes audio and video");
    }

    @Test void chromiumOfferIsAnsweredInFull() throws Exception {
        Sdp offer = Sdp.parse(fixture("chromium-156-offer.sdp"));
        for (Sdp.Media m : offer.media) assertFalse(m.bundleOnly);
        Conference conf = bridge.conference("m");
        Endpoint chromium = bridge.createEndpoint(conf, "c", "chromium", null);
        Sdp answer = Sdp.parse(bridge.call(() -> chromium.negotiate(offer, others(conf, "chromium"))));
        assertEquals(List.of("0", "1", "2", "3"), answer.bundleMids);
        assertEquals("recvonly", section(answer, "0").direction);
        assertEquals("OPUS", section(answer, "0").codecs.get(0).name);
        assertEquals("recvonly", section(answer, "1").direction);
        assertEquals("inactive", section(answer, "2").direction, "nobody else to receive yet");
    }

    @Test void port0WithoutBundleOnlyOrOutsideTheGroupIsDeclined() throws Exception {
        String ff = fixture("firefox-153-offer.sdp");
        // section 3 leaves the BUNDLE group: a port-0 bundle-only section outside it is declined
        Sdp outside = Sdp.parse(ff.replace("a=group:BUNDLE 0 1 2 3", "a=group:BUNDLE 0 1 2"));
        assertFalse(outside.media.get(3).active());
        // without a=bundle-only, port 0 is declined whatever the group says (RFC 8866)
        int at = ff.lastIndexOf("a=bundle-only");
        Sdp plain = Sdp.parse(ff.substring(0, at) + ff.substring(at + "a=bundle-only\r\n".length()));
        assertFalse(plain.media.get(3).active());
        Conference conf = bridge.conference("m");
        Endpoint e = bridge.createEndpoint(conf, "f", "firefox", null);
        Sdp answer = Sdp.parse(bridge.call(() -> e.negotiate(outside, others(conf, "firefox"))));
        assertEquals(0, section(answer, "3").port, "declined");
        assertEquals(List.of("0", "1", "2"), answer.bundleMids);
    }

    @Test void renegotiationWithNewBundleOnlySectionsAndAnEndedTrack() throws Exception {
        Conference conf = bridge.conference("m");
        Endpoint chromium = bridge.createEndpoint(conf, "c", "chromium", null);
        bridge.call(() -> chromium.negotiate(Sdp.parse(fixture("chromium-156-offer.sdp")), others(conf, "chromium")));
        Endpoint firefox = bridge.createEndpoint(conf, "f", "firefox", null);
        String ff = fixture("firefox-153-offer.sdp");
        bridge.call(() -> firefox.negotiate(Sdp.parse(ff), others(conf, "firefox")));
        // Firefox's next offer: its camera track ended (section 1 inactive) and a content share is added as a
        // new bundle-only section (mid 4) that sends
        String share = ff.substring(ff.indexOf("m=video"), ff.indexOf("m=audio", ff.indexOf("m=video"))).replace("a=mid:1", "a=mid:4");
        String next = ff.replace("a=group:BUNDLE 0 1 2 3", "a=group:BUNDLE 0 1 2 3 4")
                .replaceFirst("a=sendonly\r\n(a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=extmap:4)", "a=inactive\r\n$1") + share;
        assertTrue(next.contains("a=inactive\r\n"), "the camera section was made inactive");
        Sdp answer = Sdp.parse(bridge.call(() -> firefox.negotiate(Sdp.parse(next), others(conf, "firefox"), Set.of("4"))));
        assertEquals(List.of("0", "1", "2", "3", "4"), answer.bundleMids);
        assertEquals("inactive", section(answer, "1").direction, "ended camera");
        assertEquals("recvonly", section(answer, "4").direction, "the share is received");
        MediaSource content = bridge.call(() -> firefox.publishedOn("4"));
        assertNotNull(content);
        assertTrue(content.content);
        assertEquals(null, bridge.call(() -> firefox.publishedOn("1")), "the ended camera is unpublished");
    }
}
