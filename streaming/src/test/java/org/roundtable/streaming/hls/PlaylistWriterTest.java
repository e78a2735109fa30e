package org.roundtable.streaming.hls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.streaming.hls.HlsSnapshot.Part;
import org.roundtable.streaming.hls.HlsSnapshot.Segment;

/** The playlist text, exactly, and the rules a blocking request is judged by. */
class PlaylistWriterTest {
    static final long T0 = 1_700_000_000_000L;          // 2023-11-14T22:13:20Z

    /** Segment msn of six parts (the first independent), 2 s, starting 2 s after the one before. */
    static Segment segment(long msn) {
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < 6; i++) parts.add(new Part(msn, i, i < 5 ? 333_333 : 333_335, i == 0, HlsSnapshot.direct(new byte[] {1})));
        return new Segment(msn, 2_000_000, T0 + msn * 2000, HlsSnapshot.direct(new byte[] {1}), parts, false);
    }

    static HlsSnapshot live(long first, long next, int openParts, boolean ended) {
        List<Segment> segs = new ArrayList<>();
        for (long m = first; m < next; m++) segs.add(segment(m));
        List<Part> open = new ArrayList<>();
        for (int i = 0; i < openParts; i++) open.add(new Part(next, i, 333_333, i == 0, HlsSnapshot.direct(new byte[] {1})));
        return new HlsSnapshot("abc", HlsConfig.defaults(), new byte[] {1}, segs, open, next, T0 + next * 2000, ended);
    }

    static String parts(long msn) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            b.append("#EXT-X-PART:DURATION=").append(i < 5 ? "0.33333" : "0.33334").append(",URI=\"part").append(msn).append('.').append(i)
                    .append(".abc.m4s\"").append(i == 0 ? ",INDEPENDENT=YES" : "").append('\n');
        }
        return b.toString();
    }

    @Test void writesTheLowLatencyPlaylist() {
        String text = new String(live(2, 7, 2, false).playlist, StandardCharsets.US_ASCII);
        String expected = "#EXTM3U\n"
                + "#EXT-X-VERSION:6\n"
                + "#EXT-X-TARGETDURATION:2\n"
                + "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.00200\n"
                + "#EXT-X-PART-INF:PART-TARGET=0.33400\n"
                + "#EXT-X-MEDIA-SEQUENCE:2\n"
                + "#EXT-X-MAP:URI=\"init.mp4?v=abc\"\n"
                + "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:24.000Z\n"
                + "#EXTINF:2.00000,\nseg2.abc.m4s\n"
                + "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:26.000Z\n"
                + "#EXTINF:2.00000,\nseg3.abc.m4s\n"                // 6.67 s from the end: its parts are gone
                + "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:28.000Z\n" + parts(4)
                + "#EXTINF:2.00000,\nseg4.abc.m4s\n"
                + "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:30.000Z\n" + parts(5)
                + "#EXTINF:2.00000,\nseg5.abc.m4s\n"
                + "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:32.000Z\n" + parts(6)
                + "#EXTINF:2.00000,\nseg6.abc.m4s\n"
                + "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:34.000Z\n"
                + "#EXT-X-PART:DURATION=0.33333,URI=\"part7.0.abc.m4s\",INDEPENDENT=YES\n"
                + "#EXT-X-PART:DURATION=0.33333,URI=\"part7.1.abc.m4s\"\n"
                + "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part7.2.abc.m4s\"\n";
        assertEquals(expected, text);
    }

    @Test void anEndedPlaylistHasEndlistAndNoHintNorParts() {
        String text = new String(live(0, 3, 0, true).playlist, StandardCharsets.US_ASCII);
        assertTrue(text.endsWith("#EXTINF:2.00000,\nseg2.abc.m4s\n#EXT-X-ENDLIST\n"), text);
        assertFalse(text.contains("PRELOAD-HINT"), text);
        assertFalse(text.contains("#EXT-X-PART:"), text);
    }

    @Test void aPlaylistRightAfterASegmentEndHintsPartZeroOfTheNext() {
        String text = new String(live(0, 1, 0, false).playlist, StandardCharsets.US_ASCII);
        assertTrue(text.endsWith("#EXTINF:2.00000,\nseg0.abc.m4s\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part1.0.abc.m4s\"\n"), text);
    }

    @Test void formatsSecondsWithFiveDecimals() {
        assertEquals("0.00000", PlaylistWriter.seconds(new StringBuilder(), 0).toString());
        assertEquals("0.00001", PlaylistWriter.seconds(new StringBuilder(), 10).toString());
        assertEquals("0.33333", PlaylistWriter.seconds(new StringBuilder(), 333_333).toString());
        assertEquals("12.05000", PlaylistWriter.seconds(new StringBuilder(), 12_050_000).toString());
    }

    @Test void blockingRequestRules() {
        HlsSnapshot s = live(2, 7, 2, false);                    // segments 2-6 complete; parts 7.0 and 7.1 made
        assertTrue(s.has(6, -1));
        assertFalse(s.has(7, -1), "segment 7 is not complete");
        assertTrue(s.has(7, 1));
        assertFalse(s.has(7, 2), "the hinted part");
        assertTrue(s.has(6, 9), "past segment 6's last part means part 0 of segment 7");
        assertTrue(s.has(0, -1), "older than the window: the playlist has it");
        assertFalse(s.tooFar(8, -1));
        assertTrue(s.tooFar(9, -1), "more than two segments after the last complete one");
        assertFalse(s.tooFar(7, 1 + 8), "within the Advance Part Limit (3 / 0.334 s = 8 parts)");
        assertTrue(s.tooFar(7, 1 + 9));
        assertTrue(s.isHinted(7, 2));
        assertFalse(s.isHinted(7, 3));
        assertTrue(live(2, 7, 2, true).has(100, 5), "an ended stream answers everything");
    }
}
