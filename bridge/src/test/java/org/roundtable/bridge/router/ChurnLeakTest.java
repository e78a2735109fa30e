package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.client.Offers;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.srtp.SrtpSession;
import org.roundtable.bridge.transport.MediaPath;

/**
 * 10,000 subscribers join and leave one meeting while its publisher's audio and video flow (about twenty
 * are in at any moment, each receiving a few packets), on a media loop thread with a pooled allocator.
 * Afterwards every pooled buffer is back in its arena (an allocator without thread caches, so its count
 * of active allocations is exact), the meeting holds nothing of those who left, and the live heap is where it was after the first
 * hundred. Netty's paranoid leak detector (pom.xml) watches every buffer meanwhile.
 */
class ChurnLeakTest {
    static final int JOINS = 10_000, IN_AT_ONCE = 20, PACKETS_PER_JOIN = 6;

    @Test
    void tenThousandJoinsAndLeavesGiveEveryBufferBack() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] r = new long[6];
        Thread t = new FastThreadLocalThread(() -> {
            try { run(r); } catch (Throwable e) { failure.set(e); }
        }, "media-loop-churn");
        t.start();
        t.join(240_000);
        if (failure.get() != null) throw new AssertionError(failure.get());
        long forwarded = r[0], activeAfter = r[1], heapEarly = r[2], heapAfter = r[3], members = r[4], subs = r[5];
        System.out.printf("[churn] %d joins, %d packets forwarded; active pooled buffers after: %d; live heap %.1f MB after 100 joins, %.1f MB after all%n",
                JOINS, forwarded, activeAfter, heapEarly / 1e6, heapAfter / 1e6);
        assertTrue(forwarded > JOINS * 2L, "media flowed to the subscribers: " + forwarded);
        assertEquals(0, activeAfter, "pooled buffers not returned");
        assertEquals(0, members, "endpoints still in the meeting");
        assertEquals(0, subs, "subscriptions left on the sources");
        assertTrue(heapAfter - heapEarly < 4_000_000, "live heap grew by " + (heapAfter - heapEarly) + " bytes over " + JOINS + " joins");
    }

    private static void run(long[] r) throws Exception {
        FakeHostEndpointTest.FakeHost host = new FakeHostEndpointTest.FakeHost();
        // no thread cache: a released buffer goes straight back to its arena, so active allocations are exact
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true, 1, 1, 8192, 9, 0, 0, false);
        host.alloc = alloc;
        Conference c = new Conference("churn");
        long[] forwarded = {0};
        MediaPath sink = new MediaPath() {
            @Override public void write(ByteBuf b) { forwarded[0]++; b.release(); }
            @Override public boolean isOpen() { return true; }
            @Override public String describe() { return "sink"; }
        };
        Endpoint pub = new Endpoint(host, c, "pub", "alice", null);
        pub.negotiate(Sdp.parse(Offers.offer("u0", "p0p0p0p0p0p0p0p0p0p0p0p0", FakeHostEndpointTest.CLIENT, 111, 222, 333, 0, 0)),
                FakeHostEndpointTest.picker(c, "alice"));
        var pubKeys = ForwardAllocationTest.keys(1);
        pub.connectForBenchmark(sink, pubKeys);
        SrtpSession client = new SrtpSession(ForwardAllocationTest.mirror(pubKeys));
        byte[] pkt = new byte[1200 + SrtpSession.MAX_TRAILER];
        ArrayDeque<Endpoint> in = new ArrayDeque<>();
        int seqA = 1, seqV = 1, n = 0;
        long ts = 0, heapEarly = 0;
        for (int j = 0; j < JOINS; j++) {
            Endpoint sub = new Endpoint(host, c, "s" + j, "bob" + j, null);
            sub.negotiate(Sdp.parse(Offers.offer("v" + j, "p1p1p1p1p1p1p1p1p1p1p1p1", FakeHostEndpointTest.CLIENT, 0, 0, 0, 1, 1)),
                    FakeHostEndpointTest.picker(c, "bob" + j));
            sub.connectForBenchmark(sink, ForwardAllocationTest.keys(j + 2));
            in.add(sub);
            if (in.size() > IN_AT_ONCE) in.poll().close("left");
            for (int k = 0; k < PACKETS_PER_JOIN; k++, n++) {
                boolean video = (n & 1) == 0;
                int len;
                if (video) {
                    len = 900;
                    seqV = (seqV + 1) & 0xFFFF;
                    if ((n & 7) == 0) ts += 3000;
                    ForwardAllocationTest.header(pkt, 96, seqV, ts, 222);
                    pkt[12] = 0x10;
                    pkt[13] = (byte) ((n & 63) == 0 ? 0x00 : 0x01);     // a key frame now and then: new subscribers start
                } else {
                    len = 112;
                    seqA = (seqA + 1) & 0xFFFF;
                    ForwardAllocationTest.header(pkt, 111, seqA, ts, 111);
                }
                int l = client.protectRtp(pkt, 0, len, pkt.length, video ? 222 : 111);
                ByteBuf b = alloc.heapBuffer(l);
                b.writeBytes(pkt, 0, l);
                pub.onSrtp(b);
                b.release();
            }
            host.forgotten.clear();
            if (j == 100) heapEarly = liveHeap();
        }
        while (!in.isEmpty()) in.poll().close("left");
        long subs = 0;
        for (MediaSource s : c.sources()) subs += s.subscriptions().length;
        long members = c.memberCount() - 1;     // all but the publisher
        long heapAfter = liveHeap();
        pub.close("done");
        long active = 0;
        for (PoolArenaMetric a : alloc.metric().heapArenas()) active += a.numActiveAllocations();
        for (PoolArenaMetric a : alloc.metric().directArenas()) active += a.numActiveAllocations();
        r[0] = forwarded[0]; r[1] = active; r[2] = heapEarly; r[3] = heapAfter; r[4] = members; r[5] = subs;
    }

    private static long liveHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) { System.gc(); Thread.sleep(20); }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
