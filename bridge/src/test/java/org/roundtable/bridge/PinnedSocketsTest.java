package org.roundtable.bridge;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A pinned socket (PinnedSockets) is bound to the shared media port before it is connected; a datagram
 * from someone else that the kernel queued on it in between must be read with its real sender, or a
 * stranger's STUN check would be taken for the pinned client's (and move that client's media path).
 */
class PinnedSocketsTest {
    @Test void aDatagramQueuedBeforeTheConnectKeepsItsRealSender() throws Exception {
        Assumptions.assumeTrue(Epoll.isAvailable(), "epoll");
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket pinnedTo = new DatagramSocket(0, lo); DatagramSocket stranger = new DatagramSocket(0, lo)) {
            List<String> got = new CopyOnWriteArrayList<>();
            Channel ch = PinnedSockets.bootstrap(group.next(), PooledByteBufAllocator.DEFAULT, new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            got.add(p.sender().getPort() + ":" + p.content().readableBytes());
                        }
                    })
                    .option(ChannelOption.AUTO_READ, false)
                    .bind(new InetSocketAddress(lo, 0)).sync().channel();
            try {
                InetSocketAddress local = (InetSocketAddress) ch.localAddress();
                // the race: a stranger's datagram arrives between the bind and the connect ...
                stranger.send(new java.net.DatagramPacket(new byte[40], 40, local));
                Thread.sleep(50);     // (a real packet in flight; nothing here waits on a timer)
                ch.connect(pinnedTo.getLocalSocketAddress()).sync();
                pinnedTo.send(new java.net.DatagramPacket(new byte[60], 60, local));
                ch.config().setAutoRead(true);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (got.size() < 2 && System.nanoTime() < end) Thread.sleep(10);
                // ... and is read after it, named by its real sender; the pinned client's comes as its own
                assertEquals(List.of(stranger.getLocalPort() + ":40", pinnedTo.getLocalPort() + ":60"), got);
            } finally {
                ch.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
