package org.roundtable.streaming.hls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.TestProgram;
import org.roundtable.streaming.hls.HlsSnapshot.Part;
import org.roundtable.streaming.hls.HlsSnapshot.Segment;

/** The packager on the composition's side: cuts, window, program dates, drops (fake clock, no HTTP). */
class HlsStreamTest {
    static final long T0 = 1_700_000_000_000L;

    static HlsRuntime runtime(FakeTimer t) { return new HlsRuntime(t, Runnable::run, t, new HlsMetrics()); }

    @Test void cutsTwoSecondSegmentsOfIndependentlyFlaggedPartsWithContinuousTimes() throws Exception {
        TestProgram p = TestProgram.make(14);
        FakeTimer clock = new FakeTimer(T0);
        HlsRuntime rt = runtime(clock);
        HlsStream s = new HlsStream(HlsConfig.defaults(), rt);
        s.open(p.tracks);
        long audioEnd = 0, videoEnd = 0;
        long lastPublished = 0;
        for (LiveFrame f : p.frames) {
            s.frame(f);
            HlsSnapshot snap = s.snapshot();
            if (snap.open.size() + 6 * snap.nextMsn == lastPublished) continue;
            lastPublished = snap.open.size() + 6 * snap.nextMsn;
            // Each new part continues both tracks' timelines exactly where the previous part ended.
            Part part = !snap.open.isEmpty() ? snap.open.get(snap.open.size() - 1)
                    : snap.segments.get(snap.segments.size() - 1).parts().get(snap.segments.get(snap.segments.size() - 1).parts().size() - 1);
            Fmp4MuxerTest.Traf v = Fmp4MuxerTest.traf(part.bytes(), 0);
            assertEquals(videoEnd, v.tfdt(), "video tfdt of part " + part.msn() + "." + part.index());
            videoEnd += Fmp4MuxerTest.sum(v.durations());
            if (Mp4Boxes.parse(part.bytes()).find("moof").all("traf").size() == 2) {
                Fmp4MuxerTest.Traf a = Fmp4MuxerTest.traf(part.bytes(), 1);
                assertEquals(audioEnd, a.tfdt(), "audio tfdt of part " + part.msn() + "." + part.index());
                audioEnd += Fmp4MuxerTest.sum(a.durations());
            }
            assertEquals(part.durationMicros(), Fmp4Muxer.ticksToMicros(Fmp4MuxerTest.sum(v.durations())), 40);
        }
        HlsSnapshot live = s.snapshot();
        assertEquals(6, live.nextMsn, "six segments of 2 s made so far (the seventh is open until the end)");
        assertEquals(6, live.segments.size(), "the window keeps six");
        for (Segment seg : live.segments) {
            assertEquals(2_000_000, seg.durationMicros(), 1, "segment " + seg.msn());
            assertEquals(T0 + seg.msn() * 2000, seg.pdtMillis(), "program date of segment " + seg.msn());
            assertEquals(6, seg.parts().size());
            ByteArrayOutputStream cat = new ByteArrayOutputStream();
            for (Part part : seg.parts()) {
                assertTrue(part.durationMicros() <= 334_000, "part " + part.durationMicros());
                assertTrue(part.durationMicros() >= 0.85 * 334_000, "part " + part.durationMicros());
                assertEquals(part.index() == 0, part.independent(), "only a part starting with the key frame is independent");
                cat.writeBytes(part.bytes());
            }
            assertArrayEquals(cat.toByteArray(), seg.bytes(), "a segment is its parts");
        }
        assertFalse(live.open.isEmpty());
        s.close();
        HlsSnapshot end = s.snapshot();
        assertTrue(end.ended);
        assertEquals(7, end.nextMsn, "close made the last segment");
        assertEquals(1, end.firstMsn(), "the oldest left the window (7 made, 6 kept)");
        String text = new String(end.playlist, StandardCharsets.US_ASCII);
        assertTrue(text.endsWith("seg6." + s.id() + ".m4s\n#EXT-X-ENDLIST\n"), text);
        assertTrue(text.contains("#EXT-X-MEDIA-SEQUENCE:1\n"), text);
        assertEquals(0, rt.metrics().forcedCuts());
        assertEquals(0, rt.metrics().streams(), "a closed stream leaves the metrics");
    }

    @Test void cutsWithoutAKeyFrameRatherThanOverrunTheTargetDuration() {
        FakeTimer clock = new FakeTimer(T0);
        HlsRuntime rt = runtime(clock);
        HlsStream s = new HlsStream(HlsConfig.defaults(), rt);
        s.open(Fmp4MuxerTest.TRACKS);
        for (int i = 0; i < 30 * 4; i++) s.frame(LiveFrame.video(Fmp4MuxerTest.accessUnit(i == 0, 50, i), i * 1_000_000L / 30, i == 0));
        HlsSnapshot snap = s.snapshot();
        assertEquals(1, snap.segments.size());
        long d = snap.segments.get(0).durationMicros();
        assertTrue(d <= 2_499_000 && d > 2_400_000, "forced cut before 2.5 s: " + d);
        assertTrue(snap.segments.get(0).forced());
        assertEquals(1, rt.metrics().forcedCuts());
        assertFalse(snap.open.get(0).independent(), "the next segment does not start with a key frame");
        s.close();
    }

    @Test void dropsAndCountsWhatItCannotPackage() {
        FakeTimer clock = new FakeTimer(T0);
        HlsRuntime rt = runtime(clock);
        HlsStream s = new HlsStream(HlsConfig.defaults(), rt);
        s.frame(LiveFrame.audio(new byte[] {1}, 0));
        assertEquals(1, rt.metrics().dropped(HlsMetrics.Drop.NOT_OPEN));
        s.open(Fmp4MuxerTest.TRACKS);
        s.frame(LiveFrame.audio(new byte[] {1}, 0));
        s.frame(LiveFrame.video(Fmp4MuxerTest.accessUnit(false, 50, 0), 0, false));
        assertEquals(2, rt.metrics().dropped(HlsMetrics.Drop.BEFORE_KEY_FRAME));
        s.frame(LiveFrame.video(Fmp4MuxerTest.accessUnit(true, 50, 0), 100_000, true));
        s.frame(LiveFrame.video(Fmp4MuxerTest.accessUnit(false, 50, 0), 100_000, false));
        s.frame(LiveFrame.audio(new byte[] {1}, 150_000));
        s.frame(LiveFrame.audio(new byte[] {1}, 140_000));
        assertEquals(2, rt.metrics().dropped(HlsMetrics.Drop.OUT_OF_ORDER));
        assertNotNull(s.snapshot().init);
        s.close();
        s.frame(LiveFrame.audio(new byte[] {1}, 200_000));
        assertEquals(2, rt.metrics().dropped(HlsMetrics.Drop.NOT_OPEN));
        assertTrue(s.snapshot().ended);
        assertEquals(1, s.snapshot().segments.size(), "the one frame became the last segment");
    }
}
