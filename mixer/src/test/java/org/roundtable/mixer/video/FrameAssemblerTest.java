package org.roundtable.mixer.video;

import static org.junit.jupiter.api.Assertions.*;
import static org.roundtable.mixer.video.Rtp.*;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.rtp.RtpPacket;

/** RTP packets of one source in, whole frames out: order, duplicates, loss, key frames, wrap, padding. */
class FrameAssemblerTest {
    final List<EncodedFrame> out = new ArrayList<>();
    final List<Long> requestsAt = new ArrayList<>();
    long now;

    FrameAssembler assembler(VideoCodec codec) { return assembler(codec, FrameAssembler.DEFAULT_WINDOW, FrameAssembler.DEFAULT_MAX_WAIT_MS); }

    FrameAssembler assembler(VideoCodec codec, int window, long maxWaitMs) {
        return new FrameAssembler(codec, f -> out.add(f.copy()), () -> requestsAt.add(now), window, maxWaitMs);
    }

    /** Pushes p from inside a bigger array (offset 7, junk around) at time t. */
    void push(FrameAssembler a, byte[] p, long t) {
        now = t;
        byte[] big = new byte[p.length + 20];
        java.util.Arrays.fill(big, (byte) 0x5A);
        System.arraycopy(p, 0, big, 7, p.length);
        a.push(big, 7, p.length, t);
    }

    void push(FrameAssembler a, byte[][] packets, long t, int... order) {
        for (int i : order) push(a, packets[i], t++);
    }

    static final byte[] KEY = vp8Key(640, 480, 2000);              // 2010 bytes: 3 packets of 700

    @Test
    void vp8KeyFrameOverThreePacketsComesOutWithoutDescriptors() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        byte[][] p = vp8Packets(1000, 90000, KEY, 700, 0x1234);
        assertEquals(3, p.length);
        push(a, p, 10, 0, 1, 2);
        assertEquals(1, out.size());
        EncodedFrame f = out.get(0);
        assertArrayEquals(KEY, f.toByteArray());
        assertEquals(VideoCodec.VP8, f.codec());
        assertTrue(f.keyframe());
        assertEquals(640, f.width());
        assertEquals(480, f.height());
        assertEquals(90000, f.rtpTimestamp());
        assertEquals(12, f.arrivalMs());
        assertEquals(0x1234, ((Vp8Depacketizer) a.depacketizer()).pictureId());
        assertEquals(List.of(), requestsAt, "a stream that starts with a key frame asks for none");
        assertEquals(3, a.packets);
        assertEquals(1, a.frames);
        assertEquals(1, a.keyframes);
        assertFalse(a.waitingForKeyframe());
    }

    @Test
    void reorderedPacketsWithinFramesAndAcrossThem() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        byte[][] k = vp8Packets(10, 3000, KEY, 700, 0x7FFF);
        byte[] d1 = vp8Delta(1, 900), d2 = vp8Delta(2, 100);
        byte[][] p1 = vp8Packets(13, 6000, d1, 500, 0);
        byte[][] p2 = vp8Packets(15, 9000, d2, 500, 1);
        push(a, k, 0, 2, 0, 1);
        push(a, p2[0], 40);                                        // the next frame before this one
        push(a, p1[1], 41);
        assertEquals(1, out.size());
        push(a, p1[0], 42);
        assertEquals(3, out.size());
        assertArrayEquals(KEY, out.get(0).toByteArray());
        assertEquals(2, out.get(0).arrivalMs());
        assertArrayEquals(d1, out.get(1).toByteArray());
        assertFalse(out.get(1).keyframe());
        assertEquals(0, out.get(1).width());
        assertEquals(6000, out.get(1).rtpTimestamp());
        assertEquals(42, out.get(1).arrivalMs());
        assertArrayEquals(d2, out.get(2).toByteArray());
        assertEquals(40, out.get(2).arrivalMs());
        assertEquals(0, a.droppedDuplicate + a.droppedLate + a.droppedBrokenFrame + a.droppedWaitingKeyframe + a.lost);
    }

    @Test
    void duplicatesAreDroppedWhetherHeldOrAlreadyTaken() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        byte[][] k = vp8Packets(500, 1, KEY, 700, 3);
        push(a, k, 0, 0, 2, 2, 1, 0, 1);
        assertEquals(1, out.size());
        assertArrayEquals(KEY, out.get(0).toByteArray());
        assertEquals(3, a.droppedDuplicate);
        assertEquals(6, a.packets);
    }

    /** K1, D1 (middle packet lost), D2, D3, K2: the loss costs D1 to D3 and asks for a key frame once. */
    byte[][][] lossScenario() {
        return new byte[][][] {
            vp8Packets(0, 0, KEY, 700, 1), vp8Packets(3, 3000, vp8Delta(1, 1200), 500, 2),
            vp8Packets(6, 6000, vp8Delta(2, 600), 500, 3), vp8Packets(8, 9000, vp8Delta(3, 100), 500, 4),
            vp8Packets(9, 12000, vp8Key(320, 240, 1500), 700, 5)};
    }

    void checkLoss(FrameAssembler a, long requestAt) {
        byte[][][] s = lossScenario();
        assertEquals(2, out.size());
        assertArrayEquals(KEY, out.get(0).toByteArray());
        assertArrayEquals(vp8Key(320, 240, 1500), out.get(1).toByteArray());
        assertEquals(320, out.get(1).width());
        assertEquals(12000, out.get(1).rtpTimestamp());
        assertEquals(List.of(requestAt), requestsAt);
        assertEquals(1, a.lost);
        assertEquals(1, a.brokenFrames);
        assertEquals(2, a.droppedBrokenFrame);
        assertEquals(3, a.droppedWaitingKeyframe, "D2's two packets, D3's one");
        assertEquals(2, a.frames);
        assertEquals(2, a.keyframes);
        assertEquals(1, a.keyframeRequests);
        assertEquals(11, a.packets);
        assertEquals(3, s[1].length);
    }

    @Test
    void lostMiddlePacketFoundByWaitingDropsUntilTheNextKeyFrame() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        byte[][][] s = lossScenario();
        push(a, s[0], 0, 0, 1, 2);
        push(a, s[1], 33, 0, 2);                                  // seq 4 never comes
        push(a, s[2], 66, 0, 1);
        push(a, s[3], 100, 0);
        assertEquals(1, out.size());
        assertEquals(List.of(), requestsAt, "still waiting for seq 4");
        push(a, s[4], 200, 0, 1, 2);                              // 200 - 34 >= 150: seq 4 is lost
        checkLoss(a, 200);
    }

    @Test
    void lostMiddlePacketFoundByTheWindow() {
        FrameAssembler a = assembler(VideoCodec.VP8, 4, 10_000);
        byte[][][] s = lossScenario();
        push(a, s[0], 0, 0, 1, 2);
        push(a, s[1], 3, 0, 2);
        push(a, s[2], 5, 0, 1);
        assertEquals(List.of(), requestsAt);
        push(a, s[3], 7, 0);                                      // seq 8 is 4 past the gap
        assertEquals(List.of(7L), requestsAt);
        push(a, s[4], 8, 0, 1, 2);
        checkLoss(a, 7);
        push(a, s[1][1], 20);                                     // the lost one, too late
        assertEquals(1, a.droppedLate);
    }

    @Test
    void keyframeRequestsArePacedAtThreeHundredMillisecondsOfArrivalTime() {
        FrameAssembler a = assembler(VideoCodec.VP8, 16, 0);
        push(a, vp8Packets(0, 0, KEY, 700, 0), 0, 0, 1, 2);
        for (int k = 1; k <= 30; k++) {
            if (k == 1) continue;                                  // delta 1 (seq 3) is lost
            push(a, vp8Packets(2 + k, 3000L * k, vp8Delta(k, 50), 500, k)[0], 33L * k);
        }
        assertEquals(List.of(66L, 396L, 726L), requestsAt);
        assertEquals(1, out.size());
        assertEquals(29, a.droppedWaitingKeyframe);
        push(a, vp8Packets(33, 3000L * 31, KEY, 700, 31), 1000, 0, 1, 2);
        push(a, vp8Packets(36, 3000L * 32, vp8Delta(9, 9), 500, 32)[0], 2000);
        assertEquals(3, out.size());
        assertEquals(3, requestsAt.size(), "none once the key frame came");
    }

    @Test
    void joiningMidFrameDropsUntilAKeyFrameAndAsksOnce() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        byte[][] k = vp8Packets(100, 0, KEY, 700, 0);
        push(a, k, 0, 1, 2);                                      // the first packet was before our time
        push(a, vp8Packets(103, 3000, vp8Delta(1, 10), 500, 1)[0], 33);
        assertEquals(List.of(), requestsAt, "the key frame's start might still come");
        push(a, vp8Packets(104, 6000, vp8Delta(2, 10), 500, 2)[0], 150);
        assertEquals(List.of(150L), requestsAt);
        assertEquals(0, out.size());
        assertEquals(2, a.droppedBrokenFrame);
        assertEquals(2, a.droppedWaitingKeyframe);
        push(a, vp8Packets(105, 9000, KEY, 700, 3), 200, 0, 1, 2);
        assertEquals(1, out.size());
        assertEquals(9000, out.get(0).rtpTimestamp());
        assertEquals(1, requestsAt.size());
    }

    @Test
    void aStreamStartingWithADeltaFrameWaits() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        push(a, vp8Packets(7, 0, vp8Delta(1, 10), 500, 0)[0], 5);
        assertEquals(List.of(5L), requestsAt);
        assertEquals(1, a.droppedWaitingKeyframe);
        assertTrue(a.waitingForKeyframe());
    }

    @Test
    void lossAcrossAFrameBoundaryNeedsAPacketMarkedAsStart() {
        FrameAssembler a = assembler(VideoCodec.VP8, 4, 10_000);
        push(a, vp8Packets(0, 0, KEY, 700, 0), 0, 0, 1, 2);
        byte[][] d = vp8Packets(3, 3000, vp8Delta(1, 900), 500, 1);   // seq 3, 4: its end is lost
        byte[][] k2 = vp8Packets(5, 6000, KEY, 700, 2);                // seq 5, 6, 7: its start is lost
        push(a, d[0], 10);
        push(a, k2, 20, 1, 2);
        push(a, vp8Packets(8, 9000, KEY, 700, 3), 30, 0, 1, 2);
        assertEquals(2, out.size());
        assertEquals(9000, out.get(1).rtpTimestamp());
        assertEquals(2, a.brokenFrames);
        assertEquals(3, a.droppedBrokenFrame);
        assertEquals(2, a.lost);
    }

    @Test
    void sequenceAndTimestampWrap() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        byte[][] k = vp8Packets(65534, 0xFFFFFF00L, KEY, 700, 0x7FFE);
        assertEquals(0, RtpPacket.sequence(k[2], 0));
        byte[] d = vp8Delta(5, 800);
        byte[][] p = vp8Packets(1, 0xB00, d, 500, 0x7FFF);
        push(a, k[1], 0);
        push(a, k[0], 1);
        push(a, p[0], 2);
        push(a, k[2], 3);
        push(a, p[1], 4);
        assertEquals(2, out.size());
        assertEquals(0xFFFFFF00L, out.get(0).rtpTimestamp());
        assertArrayEquals(KEY, out.get(0).toByteArray());
        assertEquals(0xB00, out.get(1).rtpTimestamp());
        assertArrayEquals(d, out.get(1).toByteArray());
        assertEquals(0, a.lost + a.droppedLate + a.droppedDuplicate);
    }

    @Test
    void csrcsExtensionAndPaddingAreSkippedAndPaddingOnlyPacketsKeepTheSequence() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        byte[] k1 = KEY, d = vp8Delta(3, 30);
        byte[] desc0 = vp8Descriptor(true, 0x0101, 1, 0), desc1 = vp8Descriptor(false, 0x0101, 1, 0);
        push(a, packet(40, 7, false, concat(desc0, java.util.Arrays.copyOf(k1, 1000)), 2, 1, 5), 0);
        push(a, packet(41, 7, true, concat(desc1, java.util.Arrays.copyOfRange(k1, 1000, k1.length)), 0, 3, 1), 1);
        push(a, packet(42, 7, false, new byte[0], 0, 0, 200), 2);             // padding only (a probe)
        push(a, packet(43, 8, true, concat(bytes(0x10), d), 15, 0, 255), 3);
        assertEquals(2, out.size());
        assertArrayEquals(k1, out.get(0).toByteArray());
        assertArrayEquals(d, out.get(1).toByteArray());
        assertEquals(1, a.paddingOnly);
        assertEquals(0, a.lost);
    }

    @Test
    void aStreamStartingWithPaddingProbesDoesNotWait() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        push(a, packet(70, 0, false, new byte[0], 0, 0, 255), 0);
        push(a, packet(71, 0, false, new byte[0], 0, 0, 255), 1);
        push(a, vp8Packets(72, 3000, KEY, 700, 0), 2, 0, 1, 2);
        assertEquals(1, out.size());
        assertEquals(2, a.paddingOnly);
        assertEquals(List.of(), requestsAt);
    }

    @Test
    void aFrameWithoutMarkerEndsWhenTheTimestampChanges() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        push(a, packet(1, 100, false, concat(bytes(0x10), KEY)), 0);
        assertEquals(0, out.size());
        push(a, packet(2, 200, true, concat(bytes(0x10), vp8Delta(1, 1))), 50);
        assertEquals(2, out.size());
        assertEquals(0, out.get(0).arrivalMs());
        assertArrayEquals(KEY, out.get(0).toByteArray());
    }

    @Test
    void invalidPacketsAreCounted() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        byte[] v1 = packet(1, 1, true, bytes(0x10, 0x00));
        v1[0] = 0x40;
        push(a, v1, 0);
        push(a, bytes(0x80, 0x60, 0, 1, 0, 0), 0);
        byte[] pad = packet(2, 1, true, bytes(0x10, 0x00));
        pad[0] |= 0x20;
        pad[pad.length - 1] = (byte) 200;                                      // more padding than packet
        push(a, pad, 0);
        assertEquals(3, a.droppedInvalid);
        assertEquals(0, a.frames + a.droppedBrokenFrame + a.droppedWaitingKeyframe);
    }

    @Test
    void aStreamRestartingAtLowerSequenceNumbersIsFollowed() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        push(a, vp8Packets(30000, 0, KEY, 700, 0), 0, 0, 1, 2);
        byte[][] k = vp8Packets(100, 500, KEY, 300, 0);                        // 7 packets
        push(a, k, 10, 0, 1, 2, 3, 4, 5, 6);                                   // 3 late, then a restart mid-frame
        assertEquals(3, a.droppedLate);
        push(a, vp8Packets(107, 900, KEY, 700, 1), 20, 0, 1, 2);
        assertEquals(2, out.size());
        assertEquals(900, out.get(1).rtpTimestamp());
        assertEquals(4, a.droppedBrokenFrame);
        assertEquals(1, a.restarts);
        assertEquals(0, a.lost);
    }

    @Test
    void aJumpFarAheadIsANewStreamNotThousandsLost() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        push(a, vp8Packets(10, 0, KEY, 700, 0), 0, 0, 1, 2);
        push(a, vp8Packets(5000, 3000, vp8Delta(1, 10), 500, 1)[0], 10);
        assertEquals(1, a.restarts);
        assertEquals(0, a.lost);
        assertEquals(List.of(10L), requestsAt);
        push(a, vp8Packets(5001, 6000, KEY, 700, 2), 20, 0, 1, 2);
        push(a, vp8Packets(5020, 9000, vp8Delta(2, 10), 500, 3)[0], 30);        // 16 past 5004
        assertEquals(1, a.lost, "5004 is given up: the window holds 5005 to 5020");
        push(a, vp8Packets(5021, 12000, vp8Delta(3, 10), 500, 4)[0], 200);      // 5020 waited 170 ms
        assertEquals(16, a.lost);
        assertEquals(2, out.size());
        assertEquals(3, a.droppedWaitingKeyframe, "the frames at 5000, 5020 and 5021");
    }

    @Test
    void flushDropsTheUnfinishedFrameQuietlyAndStartsOver() {
        FrameAssembler a = assembler(VideoCodec.VP8);
        push(a, vp8Packets(0, 0, KEY, 700, 0), 0, 0, 1, 2);
        byte[][] d = vp8Packets(3, 3000, vp8Delta(1, 1200), 500, 1);
        push(a, d, 10, 0, 2);
        a.flush(20);
        assertEquals(1, out.size());
        assertEquals(List.of(), requestsAt);
        assertEquals(2, a.droppedBrokenFrame);
        assertTrue(a.waitingForKeyframe());
        push(a, vp8Packets(9000, 3000, KEY, 700, 2), 30, 0, 1, 2);
        assertEquals(2, out.size());
    }

    @Test
    void h264KeyFrameFromStapAAndFuAThenSingleNalFrames() {
        FrameAssembler a = assembler(VideoCodec.H264);
        byte[][] key = H264Frames.keyPackets(200, 1_000_000);
        assertEquals(4, key.length);
        push(a, key, 0, 0, 2, 1, 3);
        byte[] p1 = H264Frames.slice(true, 7, 80);
        byte[] s1 = H264Frames.slice(true, 8, 60), s2 = H264Frames.slice(false, 9, 60);
        push(a, packet(204, 1_003_000, true, p1), 33);
        push(a, packet(206, 1_006_000, true, s2), 66);                         // two slices, reordered
        push(a, packet(205, 1_006_000, false, s1), 67);
        assertEquals(3, out.size());
        EncodedFrame k = out.get(0);
        assertEquals(VideoCodec.H264, k.codec());
        assertArrayEquals(H264Frames.annexB(H264Frames.SPS, H264Frames.PPS, H264Frames.IDR), k.toByteArray());
        assertTrue(k.keyframe());
        assertEquals(640, k.width());
        assertEquals(480, k.height());
        assertArrayEquals(concat(bytes(0, 0, 0, 1), p1), out.get(1).toByteArray());
        assertFalse(out.get(1).keyframe());
        assertEquals(0, out.get(1).width());
        assertArrayEquals(H264Frames.annexB(s1, s2), out.get(2).toByteArray());
        assertEquals(67, out.get(2).arrivalMs());
    }

    @Test
    void h264LostFragmentDropsUntilTheNextIdr() {
        FrameAssembler a = assembler(VideoCodec.H264, 4, 10_000);
        push(a, H264Frames.keyPackets(0, 0), 0, 0, 1, 2, 3);
        byte[][] k2 = H264Frames.keyPackets(4, 3000);
        push(a, k2, 10, 0, 1, 3);                                              // seq 6, an FU-A middle, lost
        push(a, packet(8, 6000, true, H264Frames.slice(true, 1, 10)), 20);
        push(a, packet(9, 9000, true, H264Frames.slice(true, 2, 10)), 30);
        assertEquals(List.of(), requestsAt, "seq 6 may still come");
        push(a, H264Frames.keyPackets(10, 12000), 40, 0, 1, 2, 3);        // seq 10: 4 past it
        assertEquals(List.of(40L), requestsAt);
        assertEquals(2, out.size());
        assertEquals(12000, out.get(1).rtpTimestamp());
        assertEquals(1, a.brokenFrames);
        assertEquals(2, a.droppedWaitingKeyframe);
    }

    @Test
    void h264UnsupportedPacketTypesBreakTheFrame() {
        FrameAssembler a = assembler(VideoCodec.H264);
        push(a, H264Frames.keyPackets(0, 0), 0, 0, 1, 2, 3);
        push(a, packet(4, 3000, true, bytes(0x79, 0x00, 0x01, 0x00, 0x02, 0x41, 0x9a)), 10);   // STAP-B
        assertEquals(1, out.size());
        assertEquals(1, ((H264Depacketizer) a.depacketizer()).unsupported);
        assertEquals(1, a.brokenFrames);
        assertEquals(List.of(10L), requestsAt);
    }

    /** Mutated and random packets (a seeded stand-in for a fuzzer): nothing throws, every packet is counted. */
    @Test
    void garbageNeverThrows() {
        java.util.Random r = new java.util.Random(42);
        for (VideoCodec codec : VideoCodec.values()) {
            long[] bytesOut = {0};
            FrameAssembler a = new FrameAssembler(codec, f -> {
                assertTrue(f.length() > 0 && f.length() <= f.data().length);
                bytesOut[0] += f.length();
            }, () -> {}, 8, 50);
            byte[][] good = codec == VideoCodec.VP8 ? vp8Packets(0, 0, KEY, 300, 77) : H264Frames.keyPackets(0, 0);
            for (int n = 0; n < 200_000; n++) {
                byte[] p = good[r.nextInt(good.length)].clone();
                switch (r.nextInt(4)) {
                    case 0: p[r.nextInt(p.length)] = (byte) r.nextInt(); break;
                    case 1: p = java.util.Arrays.copyOf(p, r.nextInt(p.length + 1)); break;
                    case 2: r.nextBytes(p); p[0] = (byte) (0x80 | (p[0] & 0x3F)); break;
                    default: break;
                }
                if (p.length >= 4) RtpPacket.setSequence(p, 0, n / 2 + r.nextInt(8));
                if (p.length >= 8) RtpPacket.setTimestamp(p, 0, (n / 6) * 3000L);
                a.push(p, 0, p.length, n);
            }
            a.flush(200_001);
            assertEquals(200_000, a.packets);
            assertTrue(a.frames > 0, codec + ": some frames survive");
            assertTrue(bytesOut[0] > 0);
        }
    }

    long count, sum;

    @Test
    void noAllocationPerPacket() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        FrameAssembler a = new FrameAssembler(VideoCodec.VP8, f -> { count++; sum += f.data()[0] + f.length(); }, () -> {});
        byte[][] k = vp8Packets(0, 0, KEY, 700, 0);
        for (byte[] p : k) a.push(p, 0, p.length, 0);
        byte[][] d = vp8Packets(0, 0, vp8Delta(1, 1300), 500, 0);
        int seq = 3;
        long ts = 0;
        int[] order = {0, 2, 1};
        for (int warm = 0; warm < 2; warm++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int f = 0; f < 7000; f++) {
                ts += 3000;
                for (int i = 0; i < 3; i++) { RtpPacket.setSequence(d[i], 0, (seq + i) & 0xFFFF); RtpPacket.setTimestamp(d[i], 0, ts); }
                for (int i : order) a.push(d[i], 0, d[i].length, ts / 90);
                seq += 3;
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            if (warm == 1) assertTrue(allocated < 4096, "21,000 packets allocated " + allocated + " bytes");
        }
        assertEquals(14001, count);
        assertEquals(0, a.lost + a.droppedBrokenFrame + a.droppedDuplicate + a.droppedLate);
        assertTrue(sum > 0);
    }
}
