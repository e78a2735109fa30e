package org.roundtable.bridge.transport;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;

/**
 * The media socket's sender on a real epoll socket: its batches go past Netty's outbound path
 * ({@link SendmmsgBatch}), every datagram arrives once, whole and in order (also where a heap buffer comes
 * between direct ones, and across the flushes a long fan-out makes), each buffer is released
 * once it is sent, and a datagram the kernel refuses is dropped, counted, and stops nothing behind it.
 */
class UdpSenderTest {
    EpollEventLoopGroup group;
    Channel ch;
    DatagramChannel rx;
    BridgeMetrics metrics;
    UdpSender sender;

    @BeforeEach void open() throws Exception {
        group = new EpollEventLoopGroup(1);
        ch = new Bootstrap().group(group).channel(EpollDatagramChannel.class).handler(new ChannelInboundHandlerAdapter())
                .bind("127.0.0.1", 0).sync().channel();
        rx = DatagramChannel.open();
        rx.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
        rx.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        rx.configureBlocking(false);
        metrics = new BridgeMetrics(new PrometheusRegistry());
        sender = new UdpSender(ch, 32, metrics);
    }

    @AfterEach void close() throws Exception {
        ch.eventLoop().submit(sender::close).sync();
        rx.close();
        ch.close().sync();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    static ByteBuf datagram(int i, boolean direct) {
        ByteBuf b = direct ? PooledByteBufAllocator.DEFAULT.directBuffer(200) : Unpooled.buffer(200);
        b.writeInt(i);
        for (int k = 0; k < 100 + i % 50; k++) b.writeByte(i + k);
        return b;
    }

    /** Reads what arrives in up to 3 s, until n datagrams; each one's number, checked whole. */
    List<Integer> receive(int n) throws Exception { return receive(n, 3000); }

    List<Integer> receive(int n, long ms) throws Exception {
        List<Integer> got = new ArrayList<>();
        ByteBuffer io = ByteBuffer.allocate(2048);
        long end = System.nanoTime() + ms * 1_000_000L;
        while (got.size() < n && System.nanoTime() < end) {
            io.clear();
            if (rx.receive(io) == null) { Thread.sleep(1); continue; }
            io.flip();
            int i = io.getInt();
            assertEquals(100 + i % 50, io.remaining(), "datagram " + i + " arrived whole");
            for (int k = 0; io.hasRemaining(); k++) assertEquals((byte) (i + k), io.get(), "datagram " + i + " byte " + k);
            got.add(i);
        }
        return got;
    }

    @Test void batchesGoPastNettyAndArriveInOrderWithTheirBuffersReleased() throws Exception {
        assertTrue(sender.direct(), "an epoll socket sends its batches itself: " + SendmmsgBatch.UNAVAILABLE);
        InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
        List<ByteBuf> bufs = new ArrayList<>();
        // 1,000 datagrams on the loop, flushed every 32 and at the end, as a fan-out's; every 97th a heap buffer (copied)
        ch.eventLoop().submit(() -> {
            for (int i = 0; i < 1000; i++) {
                ByteBuf b = datagram(i, i % 97 != 50);
                bufs.add(b);
                sender.send(b, to);
            }
            sender.flush();
        }).sync();
        List<Integer> got = receive(1000);
        assertEquals(1000, got.size(), "every datagram arrived");
        for (int i = 0; i < 1000; i++) assertEquals(i, got.get(i), "in order");
        for (ByteBuf b : bufs) assertEquals(0, b.refCnt(), "released once sent");
        assertEquals(0, sender.pooledEnvelopes(), "none took Netty's path (the heap buffers were copied into the batch)");
    }

    @Test void aDatagramTheKernelRefusesIsCountedAndTheRestGo() throws Exception {
        InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
        InetSocketAddress nowhere = new InetSocketAddress("127.0.0.1", 0);   // UDP to port 0: EINVAL
        List<ByteBuf> bufs = new ArrayList<>();
        ch.eventLoop().submit(() -> {
            for (int i = 0; i < 10; i++) {
                ByteBuf b = datagram(i, true);
                bufs.add(b);
                sender.send(b, i == 0 || i == 4 ? nowhere : to);   // the first of a batch and one inside it
            }
            sender.flush();
        }).sync();
        assertEquals(List.of(1, 2, 3, 5, 6, 7, 8, 9), receive(8));
        assertEquals(2, metrics.dropped(DropReason.SEND_FAILED), "the two refused are counted");
        for (ByteBuf b : bufs) assertEquals(0, b.refCnt(), "sent or not, every buffer is released");
    }

    /** Sending allocates nothing per datagram on the loop once warm (the kernel's copy is the only one). */
    @Test void sendingAllocatesNothingPerDatagram() throws Exception {
        InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        ByteBuffer drain = ByteBuffer.allocateDirect(2048);
        long[] bytes = new long[1];
        // the tests run Netty's paranoid leak detector, which records a stack trace for every buffer: off
        // while measuring (the level is read at each allocation), back on afterwards
        io.netty.util.ResourceLeakDetector.Level level = io.netty.util.ResourceLeakDetector.getLevel();
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        try {
            for (int round = 0; round < 30; round++) {
                long b = ch.eventLoop().submit(() -> {
                    long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
                    for (int i = 0; i < 10_000; i++) {
                        ByteBuf d = PooledByteBufAllocator.DEFAULT.directBuffer(200);
                        d.writerIndex(120);
                        sender.send(d, to);
                    }
                    sender.flush();
                    return mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
                }).get();
                while (true) { drain.clear(); if (rx.receive(drain) == null) break; }
                bytes[0] = b;
            }
        } finally {
            io.netty.util.ResourceLeakDetector.setLevel(level);
        }
        System.out.printf("[udp-sender] %.3f bytes allocated per datagram sent (10,000, warm, %s)%n", bytes[0] / 10_000.0,
                sender.direct() ? "sendmmsg from the loop" : "Netty's writes");
        assertTrue(bytes[0] < 10_000, "under a byte per datagram once warm: " + bytes[0] + " B for 10,000");
    }

    /** Once the socket is closed (the server stopping) a batch is released, not sent on a number another file may have by then. */
    @Test void aClosedSocketsBatchIsReleasedAndCounted() throws Exception {
        InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
        ByteBuf b = datagram(3, true);
        ch.eventLoop().submit(() -> {
            sender.send(b, to);
            ch.close();
            sender.flush();
        }).sync();
        assertEquals(0, b.refCnt());
        assertEquals(1, metrics.dropped(DropReason.SEND_FAILED));
        assertEquals(List.of(), receive(1, 300), "nothing was sent (a datagram on loopback arrives in well under 300 ms)");
    }

    /** A datagram of len bytes: its number, then bytes counting on from it. */
    static byte[] numbered(int i, int len) {
        byte[] a = new byte[len];
        ByteBuffer.wrap(a).putInt(i);
        for (int k = 4; k < len; k++) a[k] = (byte) (i + k);
        return a;
    }

    /** What arrives at r in up to 3 s, until n datagrams: "number/length" each, checked whole. */
    static List<String> receiveNumbered(DatagramChannel r, int n) throws Exception {
        List<String> got = new ArrayList<>();
        ByteBuffer io = ByteBuffer.allocate(4096);
        long end = System.nanoTime() + 3_000_000_000L;
        while (got.size() < n && System.nanoTime() < end) {
            io.clear();
            if (r.receive(io) == null) { Thread.sleep(1); continue; }
            io.flip();
            int len = io.remaining(), i = io.getInt();
            for (int k = 4; k < len; k++) assertEquals((byte) (i + k), io.get(), "datagram " + i + " byte " + k);
            got.add(i + "/" + len);
        }
        return got;
    }

    /**
     * Copies for one receiver that follow each other leave as one GSO (UDP_SEGMENT) message: the kernel cuts
     * it back into the datagrams (a receiver without UDP_GRO gets each alone), whole and in order. A shorter
     * one ends a message; one for another address, or a longer one, starts a new one.
     */
    @Test void aReceiversConsecutiveCopiesLeaveAsOneGsoMessage() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(SendmmsgBatch.GSO_SUPPORTED, "the kernel has no UDP_SEGMENT");
        assertTrue(sender.gso());
        InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
        try (DatagramChannel rx2 = DatagramChannel.open()) {
            rx2.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            rx2.configureBlocking(false);
            InetSocketAddress to2 = (InetSocketAddress) rx2.getLocalAddress();
            ch.eventLoop().submit(() -> {
                for (int i = 0; i < 5; i++) sender.sendCopy(numbered(i, 1000), 0, 1000, to);   // a frame: one message ...
                sender.sendCopy(numbered(5, 600), 0, 600, to);                                // ... its shorter last packet too
                sender.sendCopy(numbered(6, 1000), 0, 1000, to);                              // after a shorter one: a new message
                sender.sendCopy(numbered(7, 300), 0, 300, to2);                               // another receiver
                sender.sendCopy(numbered(8, 300), 0, 300, to);
                sender.sendCopy(numbered(9, 300), 0, 300, to2);
                sender.flush();
            }).sync();
            assertEquals(List.of("0/1000", "1/1000", "2/1000", "3/1000", "4/1000", "5/600", "6/1000", "8/300"), receiveNumbered(rx, 8));
            assertEquals(List.of("7/300", "9/300"), receiveNumbered(rx2, 2));
        }
        assertEquals(1, (long) metrics.gsoMessages.get(), "one GSO message");
        assertEquals(6, (long) metrics.gsoDatagrams.get(), "of six datagrams");
        assertEquals(0, metrics.dropped(DropReason.SEND_FAILED));
    }

    /** A GSO message the kernel refuses (as a path whose MTU is too small would) turns GSO off; its datagrams and the rest still go, in order. */
    @Test void aRefusedGsoMessageGoesDatagramByDatagramAndTurnsGsoOff() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(SendmmsgBatch.GSO_SUPPORTED, "the kernel has no UDP_SEGMENT");
        InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
        sender.batch().segmentOverrideForTest = 1;   // 1-byte segments: more than the kernel's 64 for 1,000 bytes, EINVAL
        ch.eventLoop().submit(() -> {
            for (int i = 0; i < 3; i++) sender.sendCopy(numbered(i, 1000), 0, 1000, to);
            ByteBuf own = PooledByteBufAllocator.DEFAULT.directBuffer(500).writeBytes(numbered(3, 500));
            sender.send(own, to);                                     // a datagram with its own buffer behind them
            sender.flush();
        }).sync();
        assertEquals(List.of("0/1000", "1/1000", "2/1000", "3/500"), receiveNumbered(rx, 4));
        assertEquals(1, (long) metrics.gsoRefused.get());
        assertFalse(sender.gso(), "GSO is off on this socket from now on");
        ch.eventLoop().submit(() -> {
            for (int i = 4; i < 7; i++) sender.sendCopy(numbered(i, 1000), 0, 1000, to);
            sender.flush();
        }).sync();
        assertEquals(List.of("4/1000", "5/1000", "6/1000"), receiveNumbered(rx, 3));
        assertEquals(0, (long) metrics.gsoMessages.get());
        assertEquals(0, metrics.dropped(DropReason.SEND_FAILED));
    }

    /** Copies into the batch's arena, GSO messages and all, allocate nothing per datagram once warm. */
    @Test void copyingIntoTheBatchAllocatesNothingPerDatagram() throws Exception {
        InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        ByteBuffer drain = ByteBuffer.allocateDirect(4096);
        byte[] payload = numbered(1, 1100);
        long bytes = 0;
        for (int round = 0; round < 30; round++) {
            bytes = ch.eventLoop().submit(() -> {
                long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
                for (int i = 0; i < 2_000; i++) sender.sendCopy(payload, 0, 1100, to);
                sender.flush();
                return mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            }).get();
            while (true) { drain.clear(); if (rx.receive(drain) == null) break; }
        }
        System.out.printf("[udp-sender] %.3f bytes allocated per datagram copied (2,000, warm, gso %s, %d through Netty)%n", bytes / 2_000.0, sender.gso(),
                sender.pooledEnvelopes());
        assertTrue(bytes < 2_000, "under a byte per datagram once warm: " + bytes + " B for 2,000");
    }

    @Test void aWriteFromAnotherThreadTakesNettysPath() throws Exception {
        ByteBuf b = datagram(7, true);
        sender.send(b, (InetSocketAddress) rx.getLocalAddress());
        assertEquals(List.of(7), receive(1));
        assertEquals(0, b.refCnt());
    }
}
