package org.roundtable.bridge.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * Writes datagrams on one UDP media socket for every endpoint that socket serves: each write goes into a
 * pooled {@link OutDatagram} (no envelope allocated per packet), and the socket is flushed every
 * {@code flushEvery} packets and at the end of each read batch and timer tick (the bridge's
 * {@link #flush()}), whichever comes first. Netty's epoll transport sends a flush's datagrams with one
 * {@code sendmmsg}; flushing every few dozen means the first receivers of a large fan-out do not wait for
 * the last one to be encrypted. Thread: the socket's event loop only (a write from elsewhere takes the
 * plain, allocating path).
 */
public final class UdpSender {
    private final Channel channel;
    private final int flushEvery;
    private int pending;
    /** Free envelopes, a stack: taken and given back on the event loop only. */
    private OutDatagram[] free = new OutDatagram[64];
    private int freeCount;
    /** Envelopes ever made (a gauge of the pool: it stops growing once the largest flush is covered). */
    private int made;

    public UdpSender(Channel channel, int flushEvery) {
        this.channel = channel;
        this.flushEvery = Math.max(1, flushEvery);
    }

    public Channel channel() { return channel; }

    /** Takes ownership of b. */
    public void send(ByteBuf b, InetSocketAddress to) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.writeAndFlush(new DatagramPacket(b, to), channel.voidPromise());
            return;
        }
        OutDatagram d = freeCount > 0 ? free[--freeCount] : newDatagram();
        d.set(b, to);
        channel.write(d, channel.voidPromise());
        if (++pending >= flushEvery) flush();
    }

    /** Sends what was written. Event loop only. */
    public void flush() {
        if (pending == 0) return;
        pending = 0;
        channel.flush();
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
