package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.assertFlows;
import static org.roundtable.signaling.e2e.E2e.assertStopped;
import static org.roundtable.signaling.e2e.E2e.audio;
import static org.roundtable.signaling.e2e.E2e.frames;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;

/**
 * Firefox ESR next to Chromium in one meeting: each member decodes video and receives audio from the
 * others; Firefox shares its screen and receives a share; host controls act on Firefox's tracks; Firefox
 * leaves and comes back. Firefox offers max-bundle with port-0 bundle-only sections, which the server
 * must answer as active (RFC 8843).
 */
class FirefoxMeetingTest {
    Browser chromium;
    Firefox firefox;

    WebClient of(String tab) { return tab.startsWith("ff:") ? firefox : chromium; }
    String h(String tab) { return tab.startsWith("ff:") ? tab.substring(3) : tab; }
    String state(String tab) { return of(tab).state(h(tab)); }
    List<Map<String, Object>> stats(String tab) { return of(tab).stats(h(tab)); }
    long audioFrom(String tab, String name) { Map<String, Object> p = E2e.statsOf(of(tab), h(tab), name); return p == null ? -1 : audio(p); }
    long videoPacketsFrom(String tab, String name) { Map<String, Object> p = E2e.statsOf(of(tab), h(tab), name); return p == null ? -1 : E2e.videoPackets(p); }
    long framesFrom(String tab, String name) { Map<String, Object> p = E2e.statsOf(of(tab), h(tab), name); return p == null ? -1 : frames(p); }
    String id(String tab) { return (String) of(tab).js(h(tab), "return window.roundtable.id;"); }
    String call(String tab, String expr) {
        return (String) of(tab).jsAsync(h(tab), "const cb = arguments[arguments.length-1]; Promise.resolve().then(() => " + expr
                + ").then(() => cb('ok'), e => cb(e.code || String(e.message || e)));");
    }

    boolean everyoneFlowing(List<String> tabs, int others) {
        for (String t : tabs) {
            List<Map<String, Object>> s = stats(t);
            if (s.size() != others || !s.stream().allMatch(p -> frames(p) > 0 && audio(p) > 0)) return false;
        }
        return true;
    }



    @Test
    void firefoxAndTwoChromiumMembersMeetShareAndFollowHostControls() throws Exception {
        E2e.skipUnlessE2e();
        try (RoundtableServer server = E2e.server(false);
             Browser c = new Browser("--auto-select-desktop-capture-source=Entire screen", "--enable-usermedia-screen-capturing");
             Firefox f = new Firefox()) {
            chromium = c;
            firefox = f;
            String base = server.url() + "?meeting=mixed&autojoin=1&name=";
            long t0 = System.currentTimeMillis();
            String fox = "ff:" + f.open(base + "Fox");
            assertTrue(waitFor(20_000, () -> "joined".equals(state(fox))), "Firefox joined, state=" + state(fox));
            long foxJoined = System.currentTimeMillis();
            String ann = c.open(base + "Ann");
            String bob = c.open(base + "Bob");
            for (String t : List.of(ann, bob)) assertTrue(waitFor(20_000, () -> "joined".equals(state(t))), "Chromium member joined");
            long othersJoined = System.currentTimeMillis();
            List<String> all = List.of(fox, ann, bob);
            assertTrue(waitFor(20_000, () -> stats(fox).size() == 2 && stats(fox).stream().allMatch(p -> frames(p) > 0)),
                    "Firefox decodes both Chromium members: " + stats(fox));
            long foxFirstFrames = System.currentTimeMillis();
            assertTrue(waitFor(20_000, () -> everyoneFlowing(all, 2)), "every member decodes video and receives audio from both others: "
                    + stats(fox) + " / " + stats(ann) + " / " + stats(bob));
            System.out.printf("[e2e] Firefox: joined %d ms after its tab opened; first frames from both Chromium members %d ms after they joined%n",
                    foxJoined - t0, foxFirstFrames - othersJoined);
            assertTrue(E2e.hears(chromium, ann, "Fox", 20), "Chromium hears Firefox's microphone");
            assertTrue(E2e.hears(firefox, h(fox), "Ann", 20), "Firefox hears Chromium's microphone");

            // Firefox (the first member: host) shares: headless Firefox has no screen to capture (getDisplayMedia
            // gives NotFoundError), so it shares a moving canvas through the SDK's shareScreen({stream})
            assertEquals("host", E2e.member(chromium, ann, "Fox").get("role"));
            assertEquals("ok", call(fox, "(() => { const cv = document.createElement('canvas'); cv.width = 640; cv.height = 360;"
                    + " const g = cv.getContext('2d'); let n = 0;"
                    + " setInterval(() => { g.fillStyle = 'hsl(' + (n++ * 7 % 360) + ',80%,50%)'; g.fillRect(0, 0, 640, 360);"
                    + " g.fillStyle = '#fff'; g.fillText(String(n), 20 + n % 600, 180); }, 50);"
                    + " return window.roundtable.shareScreen({stream: cv.captureStream(20)}); })()"));
            assertTrue(waitFor(15_000, () -> c.contentFrames(ann) > 0 && c.contentFrames(bob) > 0),
                    "the Chromium members decode Firefox's screen: " + c.fullStats(ann).get("content") + "; Firefox's page says: "
                    + f.js(h(fox), "return document.getElementById('error').textContent + ' share=' + !!window.roundtable._screenTx"
                    + " + ' ' + window.roundtable.pc.getTransceivers().map(t => t.mid + ':' + t.direction + ':' + t.currentDirection).join(',');"));
            assertEquals("ok", call(fox, "window.roundtable.stopShare()"));

            // Ann, made host by Fox, shares: Firefox decodes it
            assertEquals("ok", call(fox, "window.roundtable.setRole('" + id(ann) + "', 'host')"));
            assertTrue(waitFor(5_000, () -> "host".equals(E2e.member(chromium, ann, "Ann").get("role"))));
            assertEquals("ok", call(ann, "window.roundtable.shareScreen()"));
            assertTrue(waitFor(15_000, () -> f.contentFrames(h(fox)) > 0), "Firefox decodes Chromium's screen");
            assertEquals("ok", call(ann, "window.roundtable.stopShare()"));

            // host controls on Firefox's tracks
            String foxId = id(fox);
            assertEquals("ok", call(ann, "window.roundtable.mute('" + foxId + "')"));
            assertStopped(() -> audioFrom(bob, "Fox"), "Firefox's audio at Bob after a host mute");
            assertEquals("ok", call(ann, "window.roundtable.unmute('" + foxId + "')"));
            assertFlows(() -> audioFrom(bob, "Fox"), "Firefox's audio after unmute");
            assertEquals("ok", call(ann, "window.roundtable.cameraOff('" + foxId + "')"));
            // packets, not decoded frames: Chromium goes on decoding a Firefox publisher's buffered frames for seconds after they stop
            assertStopped(() -> videoPacketsFrom(bob, "Fox"), "Firefox's video packets at Bob after camera off");
            assertEquals("ok", call(ann, "window.roundtable.cameraOn('" + foxId + "')"));
            assertFlows(() -> framesFrom(bob, "Fox"), "Firefox's video after camera on");

            // Firefox leaves and comes back
            f.js(h(fox), "window.roundtable.leave();");
            assertTrue(waitFor(5_000, () -> "left".equals(state(fox))));
            for (String t : List.of(ann, bob)) assertTrue(waitFor(5_000, () -> stats(t).size() == 1), "Fox is gone for the others");
            String fox2 = "ff:" + f.open(base + "Fox");
            assertTrue(waitFor(20_000, () -> "joined".equals(state(fox2))), "Firefox joined again");
            long back = System.currentTimeMillis();
            assertTrue(waitFor(20_000, () -> everyoneFlowing(List.of(fox2, ann, bob), 2)), "after coming back every member decodes the others: "
                    + stats(fox2) + " / " + stats(ann) + " / " + stats(bob));
            System.out.printf("[e2e] Firefox came back: every stream flowing %d ms after it joined again%n", System.currentTimeMillis() - back);
        }
    }
}
