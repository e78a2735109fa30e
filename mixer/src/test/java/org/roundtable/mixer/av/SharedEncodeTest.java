package org.roundtable.mixer.av;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roundtable.bridge.router.Conference;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.mixer.compose.Composition;
import org.roundtable.mixer.video.Layout;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.LiveSink;
import org.roundtable.streaming.LiveTracks;

/**
 * One encode for every output: a meeting's composition records a file, then a live output joins, then a
 * second file; each starts at a key frame of its own with sound from its start, and the pictures are
 * encoded once (not once per output).
 */
class SharedEncodeTest {
    @TempDir Path dir;

    static final class Capture implements LiveSink {
        volatile LiveTracks tracks;
        final List<LiveFrame> frames = new CopyOnWriteArrayList<>();
        volatile boolean closed;
        @Override public void open(LiveTracks t) { tracks = t; }
        @Override public void frame(LiveFrame f) { frames.add(f); }
        @Override public void close() { closed = true; }
    }

    @Test
    void filesAndLiveOutputsShareOneEncode() throws Exception {
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
        ScheduledExecutorService mixer = Executors.newSingleThreadScheduledExecutor();
        Conference conference = new Conference("shared");
        Composition.Config cfg = new Composition.Config(640, 360, 30, 800_000, 96_000, Layout.Mode.GRID, "libopenh264");
        Composition comp = new Composition("shared", cfg, conference, loop::execute, System::currentTimeMillis);
        comp.roster(List.of(new Composition.Member("a", "Alice", true), new Composition.Member("b", "Bob", true)), "a");
        long[] sample = {0};
        mixer.scheduleAtFixedRate(() -> {
            short[] pcm = TestMedia.tone(sample[0], AudioCodec.FRAME);
            sample[0] += AudioCodec.FRAME;
            comp.audioInput().pcm(pcm, 1);
        }, 0, 20, TimeUnit.MILLISECONDS);
        Path a = dir.resolve("a.mp4"), b = dir.resolve("b.mp4");
        Capture live = new Capture();
        try {
            Composition.Output ra = comp.record(a, false, r -> { throw new AssertionError(r); });
            Thread.sleep(1500);
            Composition.Output lo = comp.live(live);
            Thread.sleep(1500);
            Composition.Output rb = comp.record(b, false, r -> { throw new AssertionError(r); });
            Thread.sleep(2000);
            rb.stop();
            Thread.sleep(1000);
            lo.stop();
            Thread.sleep(500);
            ra.stop();
        } finally {
            mixer.shutdownNow();
            comp.close();
            loop.shutdownNow();
        }
        double da = duration(a), db = duration(b);
        System.out.printf("file a %.2f s, file b %.2f s, live %d frames, %d pictures encoded%n", da, db, live.frames.size(), comp.encodedPictures());
        assertEquals(6.5, da, 0.6, "the first file runs from its start to its stop");
        assertEquals(2.0, db, 0.5, "the second file starts when it was asked for, at a key frame");
        assertTrue(comp.encodedPictures() <= 7.0 * 30, "one encode for all outputs: " + comp.encodedPictures());
        assertTrue(comp.encodedPictures() >= 5.5 * 30, "pictures were encoded: " + comp.encodedPictures());

        assertNotNull(live.tracks, "the live output was opened with the tracks");
        assertEquals(7, live.tracks.sps()[0] & 0x1f);
        assertEquals(8, live.tracks.pps()[0] & 0x1f);
        assertEquals(640, live.tracks.width());
        assertTrue(live.closed, "stop() closed the live output");
        LiveFrame first = live.frames.stream().filter(LiveFrame::video).findFirst().orElseThrow();
        assertTrue(first.key(), "the live output starts at a key frame");
        long video = live.frames.stream().filter(LiveFrame::video).count();
        long audio = live.frames.stream().filter(f -> !f.video()).count();
        assertEquals(4.5 * 30, video, 20, "pictures of the 4.5 s the live output ran");
        assertEquals(4.5 * 48000 / 1024, audio, 30, "sound of the same 4.5 s");
        long firstAudio = live.frames.stream().filter(f -> !f.video()).findFirst().orElseThrow().ptsMicros();
        assertTrue(firstAudio >= first.ptsMicros() && firstAudio - first.ptsMicros() < 50_000,
                "the live sound starts with its first picture: " + firstAudio + " vs " + first.ptsMicros());
        long last = -1;
        for (LiveFrame f : live.frames) if (f.video()) { assertTrue(f.ptsMicros() > last); last = f.ptsMicros(); }
    }

    private static double duration(Path f) throws Exception {
        Map<String, Object> p = FfTools.probe(f);
        assertNotNull(FfTools.stream(p, "video"), "h264 in " + f);
        assertNotNull(FfTools.stream(p, "audio"), "aac in " + f);
        Map<String, Object> fmt = MiniJson.object(p.get("format"));
        return Double.parseDouble((String) fmt.get("duration"));
    }
}
