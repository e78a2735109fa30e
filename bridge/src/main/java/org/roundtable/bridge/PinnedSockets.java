package org.roundtable.bridge;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.router.Endpoint;

/**
 * One connected UDP socket per endpoint, on the endpoint's media loop, bound to the shared media port
 * ({@code SO_REUSEPORT}) and connected to the remote address ICE selected. With several loops the kernel
 * spreads a port's datagrams over the loops' sockets by a hash of the remote address, so most packets would
 * land on another loop than their endpoint's and wait for a hand-over ({@link LoopHandoff}: a second thread
 * wake-up, milliseconds on a small busy machine). A connected socket matches the exact 4-tuple, which the
 * kernel prefers over the port's shared sockets (and its reuseport selection skips connected members), so
 * the endpoint's own loop reads its packets. Replies still leave from the loop's shared socket (same port,
 * batched). Until the socket is connected, and for any address it does not cover, the hand-over still
 * works: this only makes it rare. Failures (no file descriptors left) are counted and change nothing else.
 * Only made when more than one loop runs, on epoll. Thread: the loop's event loop.
 */
final class PinnedSockets {
    private final MediaLoop loop;
    private final BridgeMetrics metrics;
    private final ChannelHandler ingress;
    private final Map<Endpoint, Channel> byEndpoint = new HashMap<>();
    /** Reads as the loop's shared socket does ({@link MediaBuffers#READS}): recvmmsg, which {@link #bootstrap} needs. */
    private static final FixedRecvByteBufAllocator RECV = MediaBuffers.READS;

    PinnedSockets(MediaLoop loop, ChannelHandler ingress) {
        this.loop = loop;
        this.metrics = loop.bridge.metrics;
        this.ingress = ingress;
    }

    /** e's media now comes from remote over UDP: pin a socket to it (replacing one pinned to another address). */
    void pin(Endpoint e, InetSocketAddress remote) {
        Channel old = byEndpoint.get(e);
        if (old != null) {
            if (remote.equals(old.attr(REMOTE).get())) return;
            unpin(e);
        }
        InetSocketAddress local = new InetSocketAddress(loop.bridge.config().bindAddress(), loop.bridge.udpPort());
        ChannelFuture f = bootstrap(loop.loop, loop.bridge.alloc(), ingress).attr(REMOTE, remote).connect(remote, local);
        Channel ch = f.channel();
        byEndpoint.put(e, ch);
        metrics.pinnedSockets.inc();
        // however it ends (unpinned, failed, or closed by the transport), the table forgets it
        ch.closeFuture().addListener(x -> { if (byEndpoint.remove(e, ch)) metrics.pinnedSockets.dec(); });
        f.addListener(done -> {
            if (!done.isSuccess()) {
                metrics.pinFailures.inc();
                ch.close();
            }
        });
    }

    /**
     * A pinned socket's channel, not yet bound. Between its bind (it then is an unconnected member of the
     * port's reuseport group) and its connect, the kernel may queue it a datagram from anyone; Netty's read
     * of a connected socket would name the connected address as that datagram's sender, and a STUN check
     * from one client would then move another's media path. With a maximum datagram size and room for
     * several in each read buffer, Netty reads with recvmmsg, which returns each datagram's real source
     * address (connected or not), so such a datagram is demultiplexed like any other.
     */
    static Bootstrap bootstrap(io.netty.channel.EventLoop loop, io.netty.buffer.ByteBufAllocator alloc, ChannelHandler handler) {
        return new Bootstrap().group(loop)
                .channel(EpollDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, alloc)
                .option(ChannelOption.RCVBUF_ALLOCATOR, RECV)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048)
                // a publisher's key frame arrives as a burst while the loop may be busy with a fan-out: room
                // for a few hundred packets (the kernel's default, ~200 KB, holds under 100), used only when queued
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(EpollChannelOption.SO_REUSEPORT, true)
                .handler(handler);
    }

    /** Whether e has a pinned socket and it is connected. */
    boolean connected(Endpoint e) {
        Channel ch = byEndpoint.get(e);
        return ch != null && ch.isActive();
    }

    /** Closes e's pinned socket, if it has one (e is closing, or moved to another address or to ICE-TCP). */
    void unpin(Endpoint e) {
        Channel ch = byEndpoint.remove(e);
        if (ch != null) {
            metrics.pinnedSockets.dec();
            ch.close();
        }
    }

    /** The remote address a socket is (being) connected to. */
    private static final io.netty.util.AttributeKey<InetSocketAddress> REMOTE = io.netty.util.AttributeKey.valueOf("roundtable.pinned.remote");
}
