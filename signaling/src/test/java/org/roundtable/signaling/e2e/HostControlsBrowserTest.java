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
 * Every host control with real Chromium members, asserting on media: what other members receive stops
 * and resumes as the rules say, and what a guest tries is refused by the server.
 */
class HostControlsBrowserTest {
    Browser b;

    long audioFrom(String tab, String name) { Map<String, Object> p = E2e.statsOf(b, tab, name); return p == null ? -1 : audio(p); }
    long framesFrom(String tab, String name) { Map<String, Object> p = E2e.statsOf(b, tab, name); return p == null ? -1 : frames(p); }
    Map<String, Object> member(String tab, String name) { return E2e.member(b, tab, name); }

    String id(String tab) { return (String) b.js(tab, "return window.roundtable.id;"); }

    /** Runs an SDK call in a tab; returns "ok" or the rejection's code. */
    String call(String tab, String expr) {
        return (String) b.jsAsync(tab, "const cb = arguments[arguments.length-1]; Promise.resolve().then(() => " + expr
                + ").then(() => cb('ok'), e => cb(e.code || String(e.message || e)));");
    }



    @Test
    void hostControlsLobbyRolesAndContent() throws Exception {
        E2e.skipUnlessE2e();
        try (RoundtableServer server = E2e.server(false); Browser browser = new Browser(
                "--auto-select-desktop-capture-source=Entire screen", "--enable-usermedia-screen-capturing")) {
            b = browser;
            String base = server.url() + "?meeting=rules&autojoin=1&name=";
            String alice = b.open(base + "Alice");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(alice))));
            String bob = b.open(base + "Bob");
            String carol = b.open(base + "Carol");
            for (String t : List.of(bob, carol)) assertTrue(waitFor(20_000, () -> "joined".equals(b.state(t))));
            assertEquals("host", member(alice, "Alice").get("role"), "the first member is host");
            assertEquals("guest", member(bob, "Bob").get("role"));
            for (String t : List.of(alice, bob, carol))
                assertTrue(waitFor(20_000, () -> b.stats(t).size() == 2 && b.stats(t).stream().allMatch(p -> frames(p) > 0 && audio(p) > 0)));

            // the active speaker, from RFC 6464 audio levels (Chromium's fake microphone beeps)
            assertTrue(waitFor(10_000, () -> Boolean.TRUE.equals(b.js(alice, "return window.roundtable.members().some(m => m.speaking);"))),
                    "an active speaker is shown");
            if (System.getProperty("screenshot.dir") != null) {
                byte[] png = ((org.openqa.selenium.TakesScreenshot) b.driver(alice)).getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
                java.nio.file.Files.write(java.nio.file.Path.of(System.getProperty("screenshot.dir"), "host-view.png"), png);
            }

            // a guest cannot use host controls
            assertEquals("forbidden", call(bob, "window.roundtable.muteAll()"));
            assertEquals("forbidden", call(bob, "window.roundtable.cameraOff('" + id(carol) + "')"));
            assertEquals("forbidden", call(carol, "window.roundtable.lock()"));
            assertEquals("forbidden", call(carol, "window.roundtable.shareScreen()"), "guests cannot share");

            // mute all: nobody receives Bob or Carol, and the host's audio still flows
            assertEquals("ok", call(alice, "window.roundtable.muteAll()"));
            assertStopped(() -> audioFrom(alice, "Bob"), "Bob's audio at Alice");
            assertStopped(() -> audioFrom(carol, "Bob"), "Bob's audio at Carol");
            assertStopped(() -> audioFrom(bob, "Carol"), "Carol's audio at Bob");
            assertFlows(() -> audioFrom(bob, "Alice"), "the host's audio at Bob");
            Map<String, Object> bm = member(carol, "Bob");
            assertEquals(true, bm.get("muted"));
            assertEquals("host", bm.get("mutedBy"));

            // policy: no self-unmute after a host mute
            assertEquals("ok", call(alice, "window.roundtable.setPolicy(false)"));
            assertEquals("muted_by_host", call(bob, "window.roundtable.setMic(true)"));
            assertStopped(() -> audioFrom(alice, "Bob"), "Bob's audio after a refused unmute");
            assertEquals("ok", call(alice, "window.roundtable.unmute('" + id(bob) + "')"));
            assertFlows(() -> audioFrom(alice, "Bob"), "Bob's audio after the host unmuted him");
            assertEquals("ok", call(alice, "window.roundtable.unmuteAll()"));
            assertFlows(() -> audioFrom(bob, "Carol"), "Carol's audio after unmute all");

            // camera off for one member: her video stops for everyone, and comes back
            assertEquals("ok", call(alice, "window.roundtable.cameraOff('" + id(carol) + "')"));
            assertStopped(() -> framesFrom(alice, "Carol"), "Carol's video at Alice");
            assertStopped(() -> framesFrom(bob, "Carol"), "Carol's video at Bob");
            assertEquals(false, member(bob, "Carol").get("camera"));
            assertFlows(() -> framesFrom(bob, "Alice"), "others' video is untouched");
            assertEquals("ok", call(alice, "window.roundtable.cameraOn('" + id(carol) + "')"));
            assertFlows(() -> framesFrom(bob, "Carol"), "Carol's video after camera on");

            // lock: a newcomer waits in the lobby with no media until admitted
            assertEquals("ok", call(alice, "window.roundtable.lock()"));
            String dave = b.open(base + "Dave");
            assertTrue(waitFor(10_000, () -> "lobby".equals(b.state(dave))), "Dave waits in the lobby");
            assertTrue(waitFor(5_000, () -> member(alice, "Dave") != null && Boolean.TRUE.equals(member(alice, "Dave").get("inLobby"))), "the host sees Dave in the lobby");
            assertEquals(null, member(bob, "Dave"), "guests do not see the lobby");
            Thread.sleep(1500);
            assertEquals(-1, audioFrom(alice, "Dave"), "nothing from a lobby member");
            assertEquals(0L, b.stats(dave).stream().mapToLong(p -> audio(p) + frames(p)).sum(), "a lobby member receives nothing");
            String daveId = (String) member(alice, "Dave").get("id");
            assertEquals("forbidden", call(bob, "window.roundtable.admit('" + daveId + "')"));
            assertEquals("ok", call(alice, "window.roundtable.admit('" + daveId + "')"));
            assertTrue(waitFor(15_000, () -> "joined".equals(b.state(dave))), "Dave admitted");
            assertTrue(waitFor(10_000, () -> framesFrom(dave, "Alice") > 0 && audioFrom(alice, "Dave") > 0), "Dave's media flows once admitted");

            // remove: Dave's session ends, and rejoining the locked meeting puts him in the lobby again
            assertEquals("ok", call(alice, "window.roundtable.remove('" + daveId + "')"));
            assertTrue(waitFor(5_000, () -> "left".equals(b.state(dave))), "removed member has left");
            assertEquals("removed", b.js(dave, "return window.roundtable.error && window.roundtable.error.code;"));
            assertTrue(waitFor(5_000, () -> E2e.statsOf(b, alice, "Dave") == null), "Dave is gone for the others");
            b.js(dave, "location.reload();");
            assertTrue(waitFor(10_000, () -> "lobby".equals(b.state(dave))), "a removed member cannot rejoin a locked meeting without admission");
            String dave2 = (String) member(alice, "Dave").get("id");
            assertEquals("ok", call(alice, "window.roundtable.reject('" + dave2 + "')"));
            assertTrue(waitFor(5_000, () -> "left".equals(b.state(dave))), "rejected");
            b.closeTab(dave);
            assertEquals("ok", call(alice, "window.roundtable.unlock()"));

            // roles and content: Bob becomes presenter and shares; a late joiner gets the content at once
            assertEquals("ok", call(alice, "window.roundtable.setRole('" + id(bob) + "', 'presenter')"));
            assertTrue(waitFor(5_000, () -> "presenter".equals(member(carol, "Bob").get("role"))));
            assertEquals("ok", call(bob, "window.roundtable.shareScreen()"));
            assertTrue(waitFor(10_000, () -> Boolean.TRUE.equals(member(carol, "Bob").get("sharing"))), "Bob is sharing");
            assertTrue(waitFor(10_000, () -> contentFrames(carol) > 0), "content reaches Carol");
            String eve = b.open(base + "Eve&media=none");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(eve))));
            long eveJoined = System.currentTimeMillis();
            assertTrue(waitFor(3_000, () -> contentFrames(eve) > 0), "a late, receive-only joiner decodes the content");
            System.out.printf("[e2e] late joiner's first content frame %d ms after joining%n", System.currentTimeMillis() - eveJoined);
            // takeover: the host shares, Bob's share stops
            assertEquals("ok", call(alice, "window.roundtable.shareScreen()"));
            assertTrue(waitFor(10_000, () -> Boolean.FALSE.equals(member(carol, "Bob").get("sharing")) && Boolean.TRUE.equals(member(carol, "Alice").get("sharing"))), "one sharer at a time");
            assertTrue(waitFor(10_000, () -> contentFrom(carol).equals(id(alice))), "Carol now sees Alice's content");
            assertEquals("ok", call(alice, "window.roundtable.stopShare()"));
            assertTrue(waitFor(10_000, () -> Boolean.FALSE.equals(member(carol, "Alice").get("sharing"))));

            // the last host leaves: the role passes to the member she chose
            assertEquals("last_host", call(alice, "window.roundtable.setRole('" + id(alice) + "', 'guest')"));
            b.js(alice, "window.roundtable.leave('" + id(carol) + "');");
            assertTrue(waitFor(5_000, () -> "host".equals(member(carol, "Carol").get("role"))), "host role passed to Carol");
            // end for all
            assertEquals("ok", call(carol, "window.roundtable.endForAll()"));
            for (String t : List.of(bob, carol, eve)) assertTrue(waitFor(5_000, () -> "left".equals(b.state(t))), "meeting ended for everyone");
            assertEquals("ended", b.js(bob, "return window.roundtable.error && window.roundtable.error.code;"));
            b.js(bob, "location.reload();");
            assertTrue(waitFor(10_000, () -> "error".equals(b.state(bob))), "an ended meeting cannot be rejoined");
        }
    }

    @SuppressWarnings("unchecked")
    long contentFrames(String tab) {
        Map<String, Object> r = (Map<String, Object>) b.jsAsync(tab, "const cb = arguments[arguments.length-1]; window.roundtable.stats().then(s => cb(s.content), e => cb(null));");
        return r == null ? 0 : ((Number) r.get("framesDecoded")).longValue();
    }

    @SuppressWarnings("unchecked")
    String contentFrom(String tab) {
        Map<String, Object> r = (Map<String, Object>) b.jsAsync(tab, "const cb = arguments[arguments.length-1]; window.roundtable.stats().then(s => cb(s.content), e => cb(null));");
        return r == null || r.get("from") == null ? "" : (String) r.get("from");
    }
}
