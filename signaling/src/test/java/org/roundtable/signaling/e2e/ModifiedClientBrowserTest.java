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
 * A modified client: a member the host muted (and whose camera the host turned off) goes around the SDK
 * (re-enables its tracks, replaces them with fresh ones from getUserMedia, adds a new sending section and
 * re-offers by hand) and keeps sending. The server enforces host controls: nobody receives any of it.
 */
class ModifiedClientBrowserTest {
    Browser b;

    long audioFrom(String tab, String name) { Map<String, Object> p = E2e.statsOf(b, tab, name); return p == null ? -1 : audio(p); }
    long framesFrom(String tab, String name) { Map<String, Object> p = E2e.statsOf(b, tab, name); return p == null ? -1 : frames(p); }

    String run(String tab, String asyncBody) {
        return (String) b.jsAsync(tab, "const cb = arguments[arguments.length-1]; (async () => {" + asyncBody + "})().then(r => cb(String(r)), e => cb('error: ' + e));");
    }


    @Test
    void aMutedMemberWhoBypassesTheSdkReachesNobody() throws Exception {
        E2e.skipUnlessE2e();
        try (RoundtableServer server = E2e.server(false); Browser browser = new Browser()) {
            b = browser;
            String base = server.url() + "?meeting=bypass&autojoin=1&name=";
            String alice = b.open(base + "Alice");
            assertTrue(waitFor(20_000, () -> "joined".equals(b.state(alice))));
            String bob = b.open(base + "Bob");
            String carol = b.open(base + "Carol");
            for (String t : List.of(bob, carol)) assertTrue(waitFor(20_000, () -> "joined".equals(b.state(t))));
            assertTrue(waitFor(20_000, () -> audioFrom(carol, "Bob") > 0 && framesFrom(carol, "Bob") > 0), "Carol receives Bob");
            String bobId = (String) b.js(bob, "return window.roundtable.id;");

            assertEquals("ok", run(alice, "await window.roundtable.setPolicy(false); await window.roundtable.mute('" + bobId + "');"
                    + " await window.roundtable.cameraOff('" + bobId + "'); return 'ok';"));
            assertStopped(() -> audioFrom(carol, "Bob"), "Bob's audio stops at Carol");
            assertStopped(() -> framesFrom(carol, "Bob"), "Bob's video stops at Carol");

            // Bob's page goes around the SDK: re-enable, replace with fresh tracks
            String r = run(bob, "const rt = window.roundtable;"
                    + " rt.localStream.getTracks().forEach(t => { t.enabled = true; });"
                    + " const fresh = await navigator.mediaDevices.getUserMedia({audio: true, video: true});"
                    + " for (const s of rt.pc.getSenders()) { if (!s.track) continue;"
                    + "   await s.replaceTrack(fresh.getTracks().find(t => t.kind === s.track.kind)); }"
                    + " return rt.pc.getSenders().filter(s => s.track && s.track.enabled && s.track.readyState === 'live').length;");
            assertEquals("2", r, "the modified client sends live, enabled audio and video again");
            assertStopped(() -> audioFrom(carol, "Bob"), "re-armed audio still reaches nobody");
            assertStopped(() -> framesFrom(carol, "Bob"), "re-armed video still reaches nobody");
            assertStopped(() -> audioFrom(alice, "Bob"), "nor the host");

            // ...and publishes brand-new sections with a hand-made offer
            r = run(bob, "const rt = window.roundtable;"
                    + " const more = await navigator.mediaDevices.getUserMedia({audio: true, video: true});"
                    + " more.getTracks().forEach(t => rt.pc.addTransceiver(t, {direction: 'sendonly', streams: [rt.localStream]}));"
                    + " await rt._negotiate(); return rt.pc.getTransceivers().filter(t => t.currentDirection === 'sendonly').length;");
            assertTrue(Integer.parseInt(r) >= 4, "the server answered the new sending sections: " + r);
            Thread.sleep(1500);
            assertStopped(() -> audioFrom(carol, "Bob"), "new sections' audio reaches nobody");
            assertStopped(() -> framesFrom(carol, "Bob"), "new sections' video reaches nobody");
            // the SDK's own unmute is refused by the policy
            assertEquals("muted_by_host", (String) b.jsAsync(bob, "const cb = arguments[arguments.length-1];"
                    + " window.roundtable.setMic(true).then(() => cb('ok'), e => cb(e.code));"));

            // the host lifts it: Bob is heard and seen again
            assertEquals("ok", run(alice, "await window.roundtable.unmute('" + bobId + "'); await window.roundtable.cameraOn('" + bobId + "'); return 'ok';"));
            long a0 = audioFrom(carol, "Bob");
            assertTrue(waitFor(10_000, () -> audioFrom(carol, "Bob") > a0 + 20), "Bob's audio flows after the host unmutes him");
        }
    }
}
