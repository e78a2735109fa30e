package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.audio;
import static org.roundtable.signaling.e2e.E2e.frames;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.RoundtableServer;

class FirefoxMeetingTest {
    @Test
    void firefoxAndChromiumMeet() throws Exception {
        E2e.skipUnlessE2e();
        try (RoundtableServer server = E2e.server(false); Browser c = new Browser(); Firefox f = new Firefox()) {
            String base = server.url() + "?meeting=mixed&autojoin=1&name=";
            String fox = f.open(base + "Fox");
            String ann = c.open(base + "Ann");
            assertTrue(waitFor(20_000, () -> "joined".equals(f.state(fox))), "Firefox joined, state=" + f.state(fox));
            assertTrue(waitFor(20_000, () -> "joined".equals(c.state(ann))), "Chromium joined");
            Thread.sleep(5000);
            System.out.println("FOX OFFER\n" + f.js(fox, "return window.roundtable.pc.localDescription.sdp;"));
            System.out.println("FOX ANSWER\n" + f.js(fox, "return window.roundtable.pc.remoteDescription.sdp;"));
            System.out.println("ANN OFFER\n" + c.js(ann, "return window.roundtable.pc.localDescription.sdp;"));
            System.out.println("fox stats " + f.stats(fox));
            System.out.println("ann stats " + c.stats(ann));
        }
    }
}
