package org.roundtable.mixer;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The input path of the mixer: media loop → ring → jitter buffer → one frame per tick. */
class JitterBufferTest {
    static byte[] payload(int seq) { byte[] p = new byte[160]; java.util.Arrays.fill(p, (byte) seq); return p; }

    @Test
    void reordersConcealsLossAndDropsLatePackets() {
        JitterBuffer j = new JitterBuffer();
        int[] order = {0, 2, 1, 3, 5, 6};   // 4 lost, 1 and 2 swapped
        for (int s : order) j.push(s, payload(s), 0, 160, s);
        int[] got = new int[6];
        for (int t = 0; t < 6; t++) { byte[] f = j.pop(); got[t] = f == null ? -1 : f[0]; }
        assertArrayEquals(new int[] {0, 1, 2, 3, -1, 5}, got);
        assertEquals(1, j.lost);
        j.push(2, payload(2), 0, 160, 0);   // long gone
        assertEquals(1, j.late);
        j.push(9, new byte[JitterBuffer.MAX_PAYLOAD + 1], 0, JitterBuffer.MAX_PAYLOAD + 1, 0);
        assertEquals(1, j.oversize);
    }

    @Test
    void ringDropsWhenTheTickFallsBehindAndCountsIt() {
        PacketRing r = new PacketRing();
        JitterBuffer j = new JitterBuffer();
        byte[] p = payload(1);
        for (int s = 0; s < PacketRing.SLOTS + 4; s++) r.offer(s, p, 0, 160, -1);
        assertEquals(4, r.dropped);
        r.drainTo(j);
        assertEquals(PacketRing.SLOTS, j.depth());
        assertTrue(r.offer(100, p, 0, 160, -1), "drained slots are free again");
    }

    @Test
    void noAllocationPerPacket() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PacketRing r = new PacketRing();
        JitterBuffer j = new JitterBuffer();
        byte[] p = payload(3);
        long sum = 0;
        for (int warm = 0; warm < 2; warm++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int s = 0; s < 20_000; s++) {
                r.offer(s & 0xFFFF, p, 0, 160, 50);
                r.drainTo(j);
                byte[] f = j.pop();
                if (f != null) sum += f[0];
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            if (warm == 1) assertTrue(allocated < 4096, "20,000 packets allocated " + allocated + " bytes");
        }
        assertTrue(sum > 0);
    }
}
