package org.roundtable.bench.compose;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.rtp.Keyframes;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.mixer.video.FrameAssembler;
import org.roundtable.mixer.video.VideoCodec;

/** The benchmark's VP8 RTP packetiser against the mixer's own reader (RFC 7741), with hand-built frames. */
class Vp8PacketizerTest {
    /** A VP8 key frame's first bytes: P=0, the start code 9d 01 2a, 640x360. */
    private static byte[] keyframe(int len, long seed) {
        byte[] f = new byte[len];
        new Random(seed).nextBytes(f);
        f[0] = 0x10; f[1] = 0x02; f[2] = 0x00;
        f[3] = (byte) 0x9d; f[4] = 0x01; f[5] = 0x2a;
        f[6] = (byte) (640 & 0xff); f[7] = (byte) (640 >> 8); f[8] = (byte) (360 & 0xff); f[9] = (byte) (360 >> 8);
        return f;
    }

    private static byte[] delta(int len, long seed) {
        byte[] f = new byte[len];
        new Random(seed).nextBytes(f);
        f[0] |= 0x01;
        return f;
    }

    @Test void cutsIntoNearlyEqualPacketsWithDescriptorMarkerAndConsecutiveSequence() {
        Vp8Packetizer p = new Vp8Packetizer(96, 0x11223344, 65534, 0x7FFF, 1200);
        byte[] f = keyframe(5000, 1);
        List<byte[]> pk = p.packetize(f, 0, f.length, 0xFFFFFFFFL);
        assertEquals(5, pk.size(), "5000 bytes in 1184-byte payloads");
        int total = 0;
        for (int k = 0; k < pk.size(); k++) {
            byte[] b = pk.get(k);
            assertTrue(b.length <= 1200);
            assertTrue(RtpPacket.isValid(b, 0, b.length));
            assertEquals((65534 + k) & 0xFFFF, RtpPacket.sequence(b, 0));
            assertEquals(0xFFFFFFFFL, RtpPacket.timestamp(b, 0));
            assertEquals(k == pk.size() - 1, RtpPacket.marker(b, 0));
            assertEquals(k == 0 ? 0x90 : 0x80, b[12] & 0xff, "X, S only on the first, PID 0");
            assertEquals(0x80, b[13] & 0xff);
            assertEquals(0xFF, b[14] & 0xff, "M=1 and PictureID 0x7FFF");
            assertEquals(0xFF, b[15] & 0xff);
            total += b.length - 16;
            assertTrue(Math.abs((b.length - 16) - 1000) <= 1, "nearly equal sizes");
        }
        assertEquals(5000, total);
        assertTrue(Keyframes.vp8Keyframe(pk.get(0), 12, pk.get(0).length - 12));
        byte[] next = p.packetize(delta(300, 2), 0, 300, 3000).get(0);
        assertEquals(3, RtpPacket.sequence(next, 0), "sequence runs on across frames (65534 + 5 packets, wrapped)");
        assertEquals(0x80, next[14] & 0xff, "PictureID wraps to 0");
        assertEquals(0, next[15]);
        assertTrue(RtpPacket.marker(next, 0), "a one-packet frame has the marker");
    }

    @Test void theMixersAssemblerGetsTheFramesBack() {
        Vp8Packetizer p = new Vp8Packetizer(96, 7, 100, 5, 1200);
        List<byte[]> frames = new ArrayList<>();
        frames.add(keyframe(20_000, 3));
        for (int i = 0; i < 20; i++) frames.add(delta(200 + 397 * i, 10 + i));
        List<byte[]> got = new ArrayList<>();
        List<Boolean> keys = new ArrayList<>();
        FrameAssembler a = new FrameAssembler(VideoCodec.VP8, f -> {
            got.add(java.util.Arrays.copyOf(f.data(), f.length()));
            keys.add(f.keyframe());
        }, () -> fail("no key frame should be asked for"));
        long ts = 1234;
        for (byte[] f : frames) {
            for (byte[] b : p.packetize(f, 0, f.length, ts)) a.push(b, 0, b.length, 0);
            ts += 3000;
        }
        assertEquals(frames.size(), got.size());
        for (int i = 0; i < frames.size(); i++) assertArrayEquals(frames.get(i), got.get(i), "frame " + i);
        assertTrue(keys.get(0));
        assertFalse(keys.get(1));
        assertEquals(0, a.lost);
    }
}
