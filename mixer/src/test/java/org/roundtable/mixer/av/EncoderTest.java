package org.roundtable.mixer.av;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncoderTest {
    @Test
    void openh264KeyFramesStartEveryGopAndOnRequest() throws Exception {
        List<Long> keys = new ArrayList<>();
        List<Long> pts = new ArrayList<>();
        try (Canvas c = new Canvas(320, 240);
             H264Encoder enc = new H264Encoder(H264Encoder.Config.defaults().withSize(320, 240).withBitrate(300_000))) {
            assertEquals("libopenh264", enc.encoderName());
            for (int i = 0; i < 150; i++) {
                TestMedia.scene(c, i);
                if (i == 100) enc.requestKeyFrame();
                long t = i * 1_000_000L / 30;
                enc.encode(c.picture(), t, p -> {
                    pts.add(p.ptsMicros());
                    if (p.isKey()) keys.add(Math.round(p.ptsMicros() * 30 / 1e6));
                });
            }
            enc.encode(c.picture(), 149 * 1_000_000L / 30, p -> pts.add(p.ptsMicros()));   // same time: dropped
            enc.flush(p -> pts.add(p.ptsMicros()));
            assertEquals(1, enc.dropped());
            assertEquals(150, enc.frames());
        }
        assertEquals(150, pts.size());
        assertEquals(List.of(0L, 60L, 100L, 120L), keys);
    }

    @Test
    void aMissingEncoderFallsBackToOpenh264() throws Exception {
        try (H264Encoder enc = new H264Encoder(H264Encoder.Config.defaults().withSize(320, 240).withEncoder("no_such_h264"))) {
            assertEquals("libopenh264", enc.encoderName());
        }
    }

    @Test
    void aGpuEncoderIsTriedFirstButNotRequired() throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (Canvas c = new Canvas(320, 240);
             H264Encoder enc = new H264Encoder(H264Encoder.Config.defaults().withSize(320, 240).withEncoder("h264_nvenc"))) {
            assertTrue(List.of("h264_nvenc", "libopenh264").contains(enc.encoderName()), enc.encoderName());
            System.out.println("asked for h264_nvenc, got " + enc.encoderName());
            enc.encode(c.picture(), 0, p -> out.add(p.copyData()));
            enc.flush(p -> out.add(p.copyData()));
        }
        assertEquals(1, out.size());
    }

    @Test
    void aPictureOfAnotherSizeIsScaled() throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (Canvas big = new Canvas(1280, 720);
             H264Encoder enc = new H264Encoder(H264Encoder.Config.defaults().withSize(320, 180).withGlobalHeader(false));
             VideoDecoder dec = new VideoDecoder(VideoDecoder.Codec.H264)) {
            big.fill(0, 0, 1280, 720, 170, 128, 128);
            enc.encode(big.picture(), 0, p -> out.add(p.copyData()));
            Picture p = dec.decode(out.get(0), out.get(0).length, 0);
            assertEquals(320, p.width());
            assertEquals(170, p.meanLuma(0, 0, 320, 180), 4);
        }
    }

    @Test
    void aacFramesAre1024SamplesWhateverTheChunks() throws Exception {
        List<Long> pts = new ArrayList<>();
        try (AacEncoder enc = new AacEncoder(1)) {
            assertEquals(1024, enc.frameSize());
            for (int k = 0; k < 50; k++) enc.encode(TestMedia.tone(k * 960L, 960), 960, k * 20_000L, p -> pts.add(p.ptsMicros()));
            enc.flush(p -> pts.add(p.ptsMicros()));
        }
        // 48,000 samples: 46 whole frames and a short one, plus the encoder's priming frame
        assertTrue(pts.size() >= 47 && pts.size() <= 49, "packets " + pts.size());
        for (int i = 1; i < pts.size(); i++) assertTrue(pts.get(i) > pts.get(i - 1));
    }

    @Test
    void aacFollowsTheCallersClockAcrossAStall() throws Exception {
        List<Long> pts = new ArrayList<>();
        try (AacEncoder enc = new AacEncoder(2)) {
            short[] chunk = new short[960 * 2];
            for (int k = 0; k < 10; k++) enc.encode(chunk, 960, k * 20_000L, p -> pts.add(p.ptsMicros()));
            for (int k = 0; k < 10; k++) enc.encode(chunk, 960, 1_000_000L + k * 20_000L, p -> pts.add(p.ptsMicros()));
            enc.flush(p -> pts.add(p.ptsMicros()));
        }
        long jump = 0;
        for (int i = 1; i < pts.size(); i++) jump = Math.max(jump, pts.get(i) - pts.get(i - 1));
        assertTrue(jump > 700_000, "the track jumps to the caller's time: " + jump);
    }
}
