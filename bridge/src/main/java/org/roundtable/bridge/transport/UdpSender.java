package org.roundtable.bridge.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;

/**
 * Writes datagrams on one UDP media socket for every endpoint that socket serves, and sends them in batches:
 * the socket is flushed every {@code flushEvery} packets and at the end of each read batch and timer tick
 * (the bridge's {@link #flush()}), whichever comes first, each flush one {@code sendmmsg}. Flushing every
 * few dozen means the first receivers of a large fan-out do not wait for the last one to be encrypted.
 * <p>On an epoll socket a batch goes past Netty's outbound path ({@link SendmmsgBatch}): no pipeline write
 * and no {@code ChannelOutboundBuffer} entry per datagram (a heap buffer is copied to a direct one first, as
 * Netty does). Netty's path is kept for what that cannot take: a write from another thread, the NIO
 * transport, and the datagrams a full socket buffer refused (EAGAIN), which Netty queues until the socket
 * is writable; while it holds any, later datagrams queue behind them, so none overtakes another. On that
 * path each write goes into a pooled {@link OutDatagram} (no envelope allocated per packet). A datagram the
 * kernel refuses on its own is dropped and counted ({@code send_failed}).
 * <p>Thread: the socket's event loop only (a write from elsewhere takes the plain, allocating path).
 */
public final class UdpSender {
    private final Channel channel;
    private final int flushEvery;
    private final BridgeMetrics serverMetrics;
    /** Where sends are counted: the server's, or the start-up warm-up's while it runs ({@link #countInto}). */
    private BridgeMetrics metrics;
    /** The batch past Netty; null: Netty's path only. */
    private final SendmmsgBatch batch;
    private final SendmmsgBatch.Overflow toNetty = this::nettyWrite;
    private int pending;
    /** Datagrams written to Netty's channel since its last flush. */
    private int nettyWrites;
    /** Netty's queue held datagrams the socket refused at the last check. */
    private boolean queuedInNetty;
    /** Free envelopes, a stack: taken and given back on the event loop only. */
    private OutDatagram[] free = new OutDatagram[64];
    private int freeCount;
    /** Envelopes ever made (a gauge of the pool: it stops growing once the largest flush is covered). */
    private int made;

    public UdpSender(Channel channel, int flushEvery, BridgeMetrics metrics) {
        this(channel, flushEvery, metrics, true);
    }

    /** gso: consecutive datagrams for one address leave as one UDP_SEGMENT message where the kernel can ({@code udp-gso}). */
    public UdpSender(Channel channel, int flushEvery, BridgeMetrics metrics, boolean gso) {
        this.channel = channel;
        this.flushEvery = Math.max(1, Math.min(flushEvery, SendmmsgBatch.MAX));
        this.metrics = this.serverMetrics = metrics;
        this.batch = SendmmsgBatch.of(channel, gso);
    }

    public Channel channel() { return channel; }

    /** Why no socket's batches go past Netty's outbound path (null: they do, on epoll sockets). */
    public static String directUnavailable() { return SendmmsgBatch.UNAVAILABLE; }

    /** Counts sends (GSO messages, refused datagrams) into m until called with null (the server's metrics again). Event loop. */
    public void countInto(BridgeMetrics m) { metrics = m != null ? m : serverMetrics; }

    /** Whether the kernel takes UDP GSO (UDP_SEGMENT) on epoll sockets, and the batches past Netty's path can use it. */
    public static boolean gsoSupported() { return SendmmsgBatch.GSO_SUPPORTED; }

    /** Whether batches go past Netty's outbound path (an epoll socket, and Netty's internals found). */
    public boolean direct() { return batch != null; }

    /** Takes ownership of b. */
    public void send(ByteBuf b, InetSocketAddress to) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.writeAndFlush(new DatagramPacket(b, to), channel.voidPromise());
            return;
        }
        if (batch != null && !behindNetty()) {
            if (!b.isDirect()) b = direct(b);
            if (!batch.add(b, to)) {
                flushBatch();
                if (!batch.add(b, to)) nettyWrite(b, to);
            }
        } else {
            nettyWrite(b, to);
        }
        if (++pending >= flushEvery) flush();
    }

    /**
     * Sends a copy of a[off, off + len): on the loop it is copied straight into the batch's arena (no buffer
     * of its own), where it joins the previous datagram in one GSO message when that went to the same
     * address; elsewhere, or behind datagrams Netty holds, into a pooled direct buffer.
     */
    public void sendCopy(byte[] a, int off, int len, InetSocketAddress to) {
        if (batch != null && channel.eventLoop().inEventLoop() && !behindNetty()) {
            if (!batch.addCopy(a, off, len, to)) {
                flushBatch();
                if (!batch.addCopy(a, off, len, to)) nettyWrite(channel.alloc().directBuffer(len).writeBytes(a, off, len), to);
            }
            if (++pending >= flushEvery) flush();
        } else {
            send(channel.alloc().directBuffer(len).writeBytes(a, off, len), to);
        }
    }

    /** Whether consecutive datagrams for one address leave as one GSO message (on, the kernel has it, and it has not refused one). */
    public boolean gso() { return batch != null && batch.gso(); }

    /** Sends what was written. Event loop only. */
    public void flush() {
        pending = 0;
        if (batch != null && batch.size() > 0) flushBatch();
        if (nettyWrites > 0) {
            nettyWrites = 0;
            channel.flush();
        }
    }

    private void flushBatch() {
        int failed = batch.flush(toNetty);
        if (failed > 0) metrics.drop(DropReason.SEND_FAILED, failed);
        long m = batch.gsoMessagesTaken();
        if (m > 0) { metrics.gsoMessages.inc(m); metrics.gsoDatagrams.inc(batch.gsoDatagramsTaken()); }
        if (batch.gsoRefusedTaken()) {
            metrics.gsoRefused.inc();
            org.slf4j.LoggerFactory.getLogger(UdpSender.class).warn("udp: the kernel refused a GSO (UDP_SEGMENT) send on {}; this socket now sends each datagram alone",
                    channel.localAddress());
        }
    }

    /**
     * The socket closed for good: the batch's arena goes back to the pool (later writes take Netty's path,
     * which drops them). Event loop only.
     */
    public void close() {
        if (batch != null) {
            flush();
            batch.release();
        }
    }

    /** The batch, for tests in this package. */
    SendmmsgBatch batch() { return batch; }

    /** A direct copy of a heap buffer (the kernel reads the datagram from native memory), b released: as Netty's own write does. */
    private ByteBuf direct(ByteBuf b) {
        ByteBuf d = channel.alloc().directBuffer(b.readableBytes());
        d.writeBytes(b, b.readerIndex(), b.readableBytes());
        b.release();
        return d;
    }

    /** Whether Netty's channel holds datagrams not sent yet, which a batch must not overtake. */
    private boolean behindNetty() {
        if (nettyWrites > 0) return true;
        if (!queuedInNetty) return false;
        ChannelOutboundBuffer q = channel.unsafe().outboundBuffer();
        return queuedInNetty = q != null && !q.isEmpty();
    }

    /** Netty's path: a pooled envelope through the pipeline, sent at the next flush or when the socket is writable. */
    private void nettyWrite(ByteBuf b, InetSocketAddress to) {
        OutDatagram d = freeCount > 0 ? free[--freeCount] : newDatagram();
        d.set(b, to);
        channel.write(d, channel.voidPromise());
        nettyWrites++;
        if (batch != null) queuedInNetty = true;
    }

    public int pooledEnvelopes() { return made; }

    private OutDatagram newDatagram() {
        made++;
        return new OutDatagram(this);
    }

    void recycle(OutDatagram d) {
        if (!channel.eventLoop().inEventLoop()) return;     // left to the GC
        if (freeCount == free.length) {
            if (free.length >= 8192) return;
            free = java.util.Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = d;
    }
}
