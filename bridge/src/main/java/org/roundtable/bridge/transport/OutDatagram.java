package org.roundtable.bridge.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * A reusable {@link DatagramPacket} for {@link UdpSender}: Netty's transports read a datagram through
 * content() and recipient(), which are overridden here to return the packet set last. When the transport
 * releases it after the write, the content is released and the envelope goes back to its sender's pool.
 * Held by one write at a time, never retained by anyone else. Thread: the sender's event loop.
 */
final class OutDatagram extends DatagramPacket {
    private static final InetSocketAddress NOWHERE = InetSocketAddress.createUnresolved("unset", 9);
    private final UdpSender owner;
    private ByteBuf buf;
    private InetSocketAddress to;

    OutDatagram(UdpSender owner) {
        super(Unpooled.EMPTY_BUFFER, NOWHERE);
        this.owner = owner;
    }

    void set(ByteBuf b, InetSocketAddress recipient) { buf = b; to = recipient; }

    @Override public ByteBuf content() { return buf; }
    @Override public InetSocketAddress recipient() { return to; }
    @Override public InetSocketAddress sender() { return null; }
    @Override public int refCnt() { return buf == null ? 0 : buf.refCnt(); }
    @Override public DatagramPacket retain() { buf.retain(); return this; }
    @Override public DatagramPacket retain(int n) { buf.retain(n); return this; }
    @Override public DatagramPacket touch() { return this; }
    @Override public DatagramPacket touch(Object hint) { return this; }

    @Override public boolean release() { return release(1); }

    @Override public boolean release(int n) {
        ByteBuf b = buf;
        if (b == null) return false;
        boolean freed = b.release(n);
        if (freed) {
            // the recipient stays readable: a transport that copies a heap buffer releases this envelope
            // before it reads recipient() for the copy's (Epoll/NioDatagramChannel.filterOutboundMessage)
            buf = null;
            owner.recycle(this);
        }
        return freed;
    }

    @Override public DatagramPacket replace(ByteBuf content) { return new DatagramPacket(content, to); }
    @Override public String toString() { return "OutDatagram(" + to + ", " + (buf == null ? "empty" : buf.readableBytes() + " B") + ")"; }
}
