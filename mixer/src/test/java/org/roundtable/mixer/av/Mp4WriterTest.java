package org.roundtable.mixer.av;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mp4WriterTest {
    private static final int FPS = 30;
    @TempDir Path dir;

    /**
     * Four seconds of a composed meeting (an H.264 participant and a VP8 participant, both encoded and
     * decoded again in-process, two name tiles, a moving rectangle, labels) and of a 440 Hz tone.
     */
    @Test
    void recordsAComposedMeetingToAnOrdinaryMp4() throws Exception {
        Path file = dir.resolve("meeting.mp4");
        Path snapshot = dir.resolve("while-recording.mp4");
        double[] composedLuma = new double[4 * FPS];
        try (Canvas canvas = new Canvas();
             Canvas camA = new Canvas(640, 360); Canvas camB = new Canvas(320, 240);
             H264Encoder sendA = new H264Encoder(H264Encoder.Config.defaults().withSize(640, 360)
                     .withBitrate(800_000).withGlobalHeader(false));
             TestMedia.Vp8Encoder sendB = new TestMedia.Vp8Encoder(320, 240);
             VideoDecoder recvA = new VideoDecoder(VideoDecoder.Codec.H264);
             VideoDecoder recvB = new VideoDecoder(VideoDecoder.Codec.VP8);
             Mp4Writer out = new Mp4Writer(file, new H264Encoder(H264Encoder.Config.defaults()), new AacEncoder(1))) {
            long audioSample = 0;
            for (int f = 0; f < 4 * FPS; f++) {
                long t = f * 1_000_000L / FPS;
                while (audioSample * 1_000_000L / 48_000 <= t) {   // the mix's 20 ms chunks, in time order
                    out.writeAudio(TestMedia.tone(audioSample, 960), 960, audioSample * 1_000_000L / 48_000);
                    audioSample += 960;
                }
                TestMedia.scene(camA, f);
                TestMedia.scene(camB, f + 40);
                List<byte[]> a = new ArrayList<>();
                sendA.encode(camA.picture(), t, p -> a.add(p.copyData()));
                for (byte[] au : a) recvA.decode(au, au.length, t);
                for (byte[] vf : sendB.encode(camB.picture())) recvB.decode(vf, vf.length, t);

                canvas.clear();
                canvas.fill(0, 0, 1280, 720, TestMedia.backdropLuma(f), 128, 128);
                canvas.draw(recvA.latest(), 0, 0, 640, 360);
                canvas.label("Ada (H.264)", 0, 320, 640, 40);
                canvas.draw(recvB.latest(), 640, 0, 640, 360);
                canvas.label("Grace (VP8)", 640, 320, 640, 40);
                canvas.nameTile("Alan Turing", 0, 360, 640, 360);
                canvas.nameTile("李小龍", 640, 360, 640, 360);
                canvas.fill((f * 20) % 1200, 340, 80, 40, 82, 90, 240);
                composedLuma[f] = canvas.picture().meanLuma(0, 0, 1280, 720);
                out.writeVideo(canvas.picture(), t);
                if (f == 3 * FPS) Files.copy(file, snapshot);   // what a crash now would leave
            }
            while (audioSample < 4 * 48_000) {
                out.writeAudio(TestMedia.tone(audioSample, 960), 960, audioSample * 1_000_000L / 48_000);
                audioSample += 960;
            }
            assertEquals(0, recvA.errors());
            assertEquals(0, recvB.errors());
            assertEquals(4 * FPS, recvA.decoded());
            assertEquals(4 * FPS, recvB.decoded());
            assertNull(out.failure());
        }

        Map<String, Object> probe = FfTools.probe(file);
        Map<String, Object> v = FfTools.stream(probe, "video"), a = FfTools.stream(probe, "audio");
        assertNotNull(v, "video stream");
        assertNotNull(a, "audio stream");
        assertEquals("h264", v.get("codec_name"));
        assertEquals(1280L, v.get("width"));
        assertEquals(720L, v.get("height"));
        assertEquals("aac", a.get("codec_name"));
        assertEquals("48000", a.get("sample_rate"));
        Map<String, Object> format = MiniJson.object(probe.get("format"));
        double duration = Double.parseDouble((String) format.get("duration"));
        assertEquals(4.0, duration, 0.2, "duration");
        assertEquals(4.0, Double.parseDouble((String) v.get("duration")), 0.2, "video duration");
        assertEquals(4.0, Double.parseDouble((String) a.get("duration")), 0.2, "audio duration");
        String brand = (String) MiniJson.object(format.get("tags")).get("major_brand");

        // clean close: an ordinary MP4 (one moov, no movie fragments), not the fragmented one of the snapshot
        List<String> boxes = FfTools.topLevelBoxes(file);
        assertFalse(boxes.contains("moof"), "fragments left after close: " + boxes);
        assertEquals(1, Collections.frequency(boxes, "moov"), boxes.toString());
        assertTrue(boxes.contains("mdat"), boxes.toString());
        List<String> during = FfTools.topLevelBoxes(snapshot);
        assertTrue(during.contains("moof"), "fragmented while recording: " + during);
        Map<String, Object> snap = FfTools.probe(snapshot, "-count_frames");
        long snapFrames = Long.parseLong((String) FfTools.stream(snap, "video").get("nb_read_frames"));
        System.out.printf("MP4 after close: brand %s, boxes %s; copy at 3.0 s: %d frames readable (%.2f s), boxes %s%n",
                brand, boxes, snapFrames, snapFrames / (double) FPS, during.subList(0, Math.min(8, during.size())));
        assertTrue(snapFrames >= FPS, "a copy taken at 3 s holds at least 1 s: " + snapFrames);

        // key frames at 0 s and 2 s (GOP 2 s), 120 frames in all
        String frames = new String(FfTools.run(FfTools.ffprobe(), "-v", "error", "-select_streams", "v",
                "-show_entries", "frame=pts_time,key_frame", "-of", "csv=p=0", file.toString()));
        List<String> keys = new ArrayList<>();
        int count = 0;
        for (String line : frames.split("\n")) {
            if (line.isBlank()) continue;
            count++;
            String[] kv = line.split(",");
            if (kv[0].equals("1")) keys.add(kv[1]);
        }
        assertEquals(4 * FPS, count);
        assertEquals(2, keys.size(), keys.toString());
        assertEquals(2.0, Double.parseDouble(keys.get(1)), 0.05);

        // frames from the middle: what was composed, and different at different times
        byte[] at1 = FfTools.lumaAt(file, 1.0, 1280, 720), at3 = FfTools.lumaAt(file, 3.0, 1280, 720);
        assertEquals(1280 * 720, at1.length);
        double m1 = FfTools.mean(at1), m3 = FfTools.mean(at3);
        assertEquals(composedLuma[FPS], m1, 2, "frame at 1 s");
        assertEquals(composedLuma[3 * FPS], m3, 2, "frame at 3 s");
        System.out.printf("mean luma at 1 s %.2f (composed %.2f), at 3 s %.2f (composed %.2f)%n", m1, composedLuma[FPS], m3, composedLuma[3 * FPS]);
        assertTrue(Math.abs(m3 - m1) > 10, "frames differ: " + m1 + " vs " + m3);
    }

    @Test
    void recordsAnAudioOnlyMeeting() throws Exception {
        for (String name : new String[] {"phone.m4a", "phone.mp4"}) {
            Path file = dir.resolve(name);
            try (Mp4Writer out = new Mp4Writer(file, null, new AacEncoder(1))) {
                for (int k = 0; k < 150; k++) out.writeAudio(TestMedia.tone(k * 960L, 960), 960, k * 20_000L);
                assertThrows(IllegalStateException.class, () -> out.writeVideo(null, 0));
            }
            Map<String, Object> probe = FfTools.probe(file);
            assertNull(FfTools.stream(probe, "video"));
            assertEquals("aac", FfTools.stream(probe, "audio").get("codec_name"));
            Map<String, Object> format = MiniJson.object(probe.get("format"));
            assertEquals(3.0, Double.parseDouble((String) format.get("duration")), 0.1);
            assertFalse(FfTools.topLevelBoxes(file).contains("moof"));
            System.out.println(name + ": brand " + MiniJson.object(format.get("tags")).get("major_brand"));
        }
    }

    @Test
    void aFullDiskIsAnIOExceptionNotACrash() throws Exception {
        Path full = Path.of("/dev/full");
        if (!Files.isWritable(full)) return;
        AvException e = assertThrows(AvException.class, () -> {
            try (Canvas c = new Canvas(320, 240);
                 Mp4Writer out = new Mp4Writer(full, new H264Encoder(H264Encoder.Config.defaults().withSize(320, 240)),
                         new AacEncoder(1))) {
                for (int f = 0; f < 300; f++) {
                    TestMedia.scene(c, f);
                    out.writeVideo(c.picture(), f * 33_333L);
                    out.writeAudio(TestMedia.tone(f * 1600L, 1600), 1600, f * 33_333L);
                }
            }
        });
        assertTrue(e.isDiskFull(), e.getMessage());
    }

    /** A write that fails mid-recording (the reader of a FIFO goes away after 100 kB: EPIPE; the JVM ignores SIGPIPE). */
    @Test
    void aWriteErrorMidRecordingThrowsAndCloseFreesQuietly() throws Exception {
        Path fifo = dir.resolve("pipe.mp4");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() != 0) return;
        Thread reader = new Thread(() -> {
            try (var in = Files.newInputStream(fifo)) {
                in.readNBytes(100_000);
            } catch (java.io.IOException ignored) { }
        });
        reader.start();
        AvException first;
        try (Canvas c = new Canvas(320, 240);
             Mp4Writer w = new Mp4Writer(fifo, new H264Encoder(H264Encoder.Config.defaults().withSize(320, 240)), new AacEncoder(1))) {
            first = assertThrows(AvException.class, () -> {
                for (int f = 0; f < 3000; f++) {
                    TestMedia.scene(c, f);
                    w.writeVideo(c.picture(), f * 33_333L);
                    w.writeAudio(TestMedia.tone(f * 1600L, 1600), 1600, f * 33_333L);
                }
            });
            assertEquals(first, w.failure());
            assertTrue(w.bytesWritten() >= 100_000, "failed after the reader left: " + w.bytesWritten());
            assertEquals(first, assertThrows(AvException.class, () -> w.writeAudio(new short[960], 960, 0)));
        }   // close: no rewrite after a failure, no second exception
        reader.join();
        System.out.println("mid-recording write error: " + first.getMessage());
        assertFalse(first.isDiskFull());
    }

    @Test
    void aMissingDirectoryIsAnIOException() {
        AvException e = assertThrows(AvException.class,
                () -> new Mp4Writer(dir.resolve("no/such/dir/x.mp4"), null, new AacEncoder(1)));
        assertTrue(e.getMessage().contains("No such file"), e.getMessage());
    }
}
