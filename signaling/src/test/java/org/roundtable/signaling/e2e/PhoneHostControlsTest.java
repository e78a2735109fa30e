package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;

/**
 * Host controls apply to a phone member like to anyone: a real SIP phone (baresip) in a meeting with a
 * Chromium host is muted (its audio stops reaching the browser, and *8 cannot undo it while the
 * host forbids self-unmute), unmuted, given a role (as a host it may record with #7 / #9), and removed
 * (the gateway hangs the call up).
 */
class PhoneHostControlsTest {
    static String control(Browser b, String tab, String call) {
        return (String) b.jsAsync(tab, "const cb = arguments[arguments.length-1]; window.roundtable." + call
                + ".then(() => cb('ok'), e => cb(e.code || String(e)));");
    }

    /** Audio packets the tab has received from name, sampled over ms. */
    static long packetsOver(Browser b, String tab, String name, long ms) throws Exception {
        long before = E2e.audio(E2e.statsOf(b, tab, name));
        Thread.sleep(ms);
        return E2e.audio(E2e.statsOf(b, tab, name)) - before;
    }

    static void assertNotNullStream(com.fasterxml.jackson.databind.JsonNode probe) {
        assertTrue(MediaFiles.stream(probe, "audio") != null && MediaFiles.durationSeconds(probe) > 0, "ffprobe reads the recording: " + probe);
    }

    @Test
    void hostMutesGivesARoleAndRemovesAPhone() throws Exception {
        E2e.skipUnlessE2e();
        Baresip.requireNamespace();
        try (RoundtableServer server = E2e.sipServer(); Browser b = new Browser();
             Baresip phone = new Baresip("\"Carol\" <sip:carol@127.0.0.2>;regint=0;audio_codecs=PCMU,PCMA", "127.0.0.2:" + E2e.freeUdpPort(), "")) {
            String ann = b.open(server.url() + "?meeting=777010&autojoin=1&name=Ann");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(ann))));
            phone.command("dial", "sip:777010@127.0.0.1:" + server.config.sip().port());
            assertTrue(waitFor(10_000, () -> phone.logs("(?i)call established")), "the call is up: " + phone.log());
            Thread.sleep(1500);
            phone.command("sndcode", "#");
            assertTrue(waitFor(20_000, () -> E2e.hears(b, ann, "Carol", 50)), "Ann hears Carol: " + b.stats(ann));
            String carol = (String) E2e.member(b, ann, "Carol").get("id");

            // the host mutes the phone and forbids self-unmute: its audio stops, and *8 does not bring it back
            assertEquals("ok", control(b, ann, "setPolicy(false)"));
            assertEquals("ok", control(b, ann, "mute('" + carol + "')"));
            assertTrue(waitFor(5_000, () -> "host".equals(E2e.member(b, ann, "Carol").get("mutedBy"))));
            Thread.sleep(500);
            assertTrue(packetsOver(b, ann, "Carol", 2000) <= 2, "a muted phone is not heard");
            phone.command("sndcode", "*");
            Thread.sleep(300);
            phone.command("sndcode", "8");
            Thread.sleep(1000);
            assertEquals("host", E2e.member(b, ann, "Carol").get("mutedBy"), "*8 is refused while the host forbids it");
            assertTrue(packetsOver(b, ann, "Carol", 1500) <= 2, "and the phone stays unheard");

            // the host unmutes it: heard again
            assertEquals("ok", control(b, ann, "unmute('" + carol + "')"));
            assertTrue(waitFor(5_000, () -> { try { return packetsOver(b, ann, "Carol", 1000) > 20; } catch (Exception e) { return false; } }),
                    "unmuted, the phone is heard again");

            // a role, like anyone's
            assertEquals("ok", control(b, ann, "setRole('" + carol + "', 'presenter')"));
            assertTrue(waitFor(5_000, () -> "presenter".equals(E2e.member(b, ann, "Carol").get("role"))));

            // made a host, the phone may record: #7 starts it, #9 stops it (the browser sees the meeting's state)
            assertEquals("ok", control(b, ann, "setRole('" + carol + "', 'host')"));
            assertTrue(waitFor(5_000, () -> "host".equals(E2e.member(b, ann, "Carol").get("role"))));
            phone.command("sndcode", "#");
            Thread.sleep(300);
            phone.command("sndcode", "7");
            assertTrue(waitFor(5_000, () -> Boolean.TRUE.equals(b.js(ann, "return window.roundtable.recording;"))), "#7 from the phone starts recording");
            phone.command("sndcode", "#");
            Thread.sleep(300);
            phone.command("sndcode", "9");
            assertTrue(waitFor(5_000, () -> Boolean.FALSE.equals(b.js(ann, "return window.roundtable.recording;"))), "#9 stops it");
            var files = server.recordings.files("777010");
            assertEquals(1, files.size(), "one recording: " + files);
            assertEquals(org.roundtable.recorder.Recording.COMPLETE, files.get(0).state());
            assertEquals("Carol", files.get(0).creatorName(), "the phone that keyed #7 made it");
            var probe = MediaFiles.probe(server.recordings.fileOf(files.get(0)));
            assertNotNullStream(probe);

            // removed: the gateway hangs up
            assertEquals("ok", control(b, ann, "remove('" + carol + "')"));
            assertTrue(waitFor(10_000, () -> server.sip.activeCalls() == 0), "the call ended");
            assertTrue(waitFor(10_000, () -> phone.logs("(?i)terminated")), "the phone was hung up: " + phone.log());
            assertTrue(waitFor(5_000, () -> E2e.member(b, ann, "Carol") == null), "and is no longer a member");
        }
    }
}
