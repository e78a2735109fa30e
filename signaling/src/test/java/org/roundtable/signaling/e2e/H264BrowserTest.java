package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.frames;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;

/**
 * H.264 between browsers: with roundtable.bridge.prefer-h264 (Ann) and the per-client choice
 * (join's videoCodec, Bob with &codec=h264 on a VP8 server would do the same), Chromium members publish
 * and decode H.264. Debian's Firefox ESR has no H.264 (its OpenH264 plugin is a download from the
 * codec's vendor, which a server's users cannot be asked for): when it joins, the bridge asks the H.264
 * publishers to renegotiate and they switch to VP8, so every member decodes everyone. An SFU does not
 * transcode; publishing in a codec a member cannot decode would leave that member without the camera.
 */
class H264BrowserTest {

    static boolean decodesFromAll(WebClient b, String tab, int n) {
        List<Map<String, Object>> s = b.stats(tab);
        return s.size() == n && s.stream().allMatch(p -> frames(p) > 0);
    }

    @Test
    void chromiumMembersUseH264UntilAMemberWhoCannotDecodeItJoins() throws Exception {
        E2e.skipUnlessE2e();
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 2_500_000, true, 30_000, 10_000, 2);
        try (RoundtableServer server = new RoundtableServer(new ServerConfig("127.0.0.1", 0, b, true, 100)).start();
             Browser c = new Browser(); Firefox f = new Firefox()) {
            String base = server.url() + "?meeting=h264&autojoin=1&name=";
            String ann = c.open(base + "Ann");
            String bob = c.open(base + "Bob&codec=h264");
            for (String t : List.of(ann, bob)) assertTrue(waitFor(20_000, () -> "joined".equals(c.state(t))));
            for (String t : List.of(ann, bob)) {
                assertTrue(waitFor(20_000, () -> decodesFromAll(c, t, 1) && c.videoCodecsDecoded(t).equals(List.of("video/H264"))),
                        "Chromium decodes the other's H.264: " + c.stats(t) + " " + c.videoCodecsDecoded(t));
            }
            long annFrames = frames(c.stats(bob).get(0));
            assertTrue(waitFor(5_000, () -> frames(c.stats(bob).get(0)) > annFrames + 20), "H.264 keeps being decoded");

            String fox = f.open(base + "Fox");
            assertTrue(waitFor(20_000, () -> "joined".equals(f.state(fox))));
            long foxJoined = System.currentTimeMillis();
            assertTrue(waitFor(20_000, () -> decodesFromAll(f, fox, 2)), "Firefox decodes both Chromium members: " + f.stats(fox));
            System.out.printf("[e2e] Firefox joined an H.264 meeting: frames from both publishers (switched to VP8) %d ms after it joined%n",
                    System.currentTimeMillis() - foxJoined);
            assertEquals(List.of("video/VP8", "video/VP8"), f.videoCodecsDecoded(fox));
            for (String t : List.of(ann, bob)) {
                assertTrue(waitFor(20_000, () -> decodesFromAll(c, t, 2) && c.videoCodecsDecoded(t).equals(List.of("video/VP8", "video/VP8"))),
                        "Chromium decodes everyone in VP8 now: " + c.stats(t) + " " + c.videoCodecsDecoded(t));
            }
        }
    }
}
