package org.roundtable.mixer.av;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VideoDecoderTest {
    @Test
    void decodesH264AnnexBFromOurEncoder() throws Exception {
        List<byte[]> frames = TestMedia.h264Frames(320, 240, 10);
        assertEquals(10, frames.size());
        try (VideoDecoder dec = new VideoDecoder(VideoDecoder.Codec.H264)) {
            Picture last = null;
            for (int i = 0; i < frames.size(); i++) {
                Picture p = dec.decode(frames.get(i), frames.get(i).length, i);
                assertNotNull(p, "frame " + i);
                assertEquals(i, p.pts());
                last = p;
            }
            assertEquals(320, last.width());
            assertEquals(240, last.height());
            // the backdrop block (top two thirds, left edge) has the luma the scene drew, within coding loss
            assertEquals(TestMedia.backdropLuma(9), last.meanLuma(4, 4, 16, 16), 6);
            assertEquals(0, dec.errors());
            assertEquals(10, dec.decoded());
        }
    }

    @Test
    void decodesVp8FromLibvpx() throws Exception {
        try (Canvas src = new Canvas(320, 180); TestMedia.Vp8Encoder enc = new TestMedia.Vp8Encoder(320, 180);
             VideoDecoder dec = new VideoDecoder(VideoDecoder.Codec.VP8)) {
            int decoded = 0;
            for (int i = 0; i < 10; i++) {
                TestMedia.scene(src, i);
                for (byte[] f : enc.encode(src.picture())) {
                    Picture p = dec.decode(f, f.length, i);
                    assertNotNull(p);
                    assertEquals(320, p.width());
                    assertEquals(180, p.height());
                    assertEquals(TestMedia.backdropLuma(i), p.meanLuma(4, 4, 16, 16), 6);
                    decoded++;
                }
            }
            assertEquals(10, decoded);
        }
    }

    @Test
    void followsAResolutionChange() throws Exception {
        List<byte[]> small = TestMedia.h264Frames(320, 240, 3);
        List<byte[]> big = TestMedia.h264Frames(640, 360, 3);
        try (VideoDecoder dec = new VideoDecoder(VideoDecoder.Codec.H264)) {
            for (byte[] f : small) assertEquals(320, dec.decode(f, f.length, 0).width());
            for (byte[] f : big) {
                Picture p = dec.decode(f, f.length, 1);
                assertEquals(640, p.width());
                assertEquals(360, p.height());
            }
            assertEquals(1, dec.resolutionChanges());
        }
    }

    @Test
    void garbageIsCountedNotFatalAndTheNextKeyFrameDecodes() throws Exception {
        List<byte[]> h264 = TestMedia.h264Frames(320, 240, 1);
        List<byte[]> vp8 = new ArrayList<>();
        try (Canvas src = new Canvas(320, 240); TestMedia.Vp8Encoder enc = new TestMedia.Vp8Encoder(320, 240)) {
            TestMedia.scene(src, 0);
            vp8.addAll(enc.encode(src.picture()));
        }
        Random rnd = new Random(20260807);
        for (VideoDecoder.Codec codec : VideoDecoder.Codec.values()) {
            byte[] key = (codec == VideoDecoder.Codec.H264 ? h264 : vp8).get(0);
            try (VideoDecoder dec = new VideoDecoder(codec)) {
                int nulls = 0;
                for (int i = 0; i < 3000; i++) {
                    byte[] junk = new byte[1 + rnd.nextInt(4000)];
                    rnd.nextBytes(junk);
                    if (i % 3 == 0 && junk.length > 4) { junk[0] = 0; junk[1] = 0; junk[2] = 0; junk[3] = 1; }
                    if (i % 7 == 0) {   // a real frame with its tail damaged
                        junk = key.clone();
                        for (int j = junk.length / 2; j < junk.length; j++) junk[j] = (byte) rnd.nextInt();
                    }
                    if (dec.decode(junk, junk.length, i) == null) nulls++;
                }
                assertTrue(dec.errors() > 100, codec + " errors " + dec.errors());
                assertTrue(nulls > 1000, codec + " nulls " + nulls);
                assertNull(dec.decode(new byte[10], 0, 0));
                Picture p = dec.decode(key, key.length, 99);
                assertNotNull(p, codec + " decodes again after garbage");
                assertEquals(320, p.width());
            }
        }
    }

    @Test
    void closeIsIdempotentAndDecodeAfterCloseIsRefused() throws Exception {
        VideoDecoder dec = new VideoDecoder(VideoDecoder.Codec.VP8);
        dec.close();
        dec.close();
        assertThrows(IllegalStateException.class, () -> dec.decode(new byte[10], 10, 0));
    }
}
