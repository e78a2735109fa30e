package org.roundtable.bridge.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * An ICE-TCP connection (passive, RFC 6544) with RFC 4571 framing: each packet goes out after a two-byte
 * length. A buffer with {@link MediaPath#HEADROOM} free bytes before its data (as the RTP egress makes
 * them) gets the length written there, so framing costs no buffer and no copy; any other is copied once
 * behind a length. Marks itself dirty (in its connection's loop's list) so that loop flushes it. Thread:
 * the endpoint's media loop; when that is not the loop the connection was accepted on, each write is
 * handed to the connection's loop and flushed there (ICE-TCP is the fallback path: the hop is accepted).
 */
public final class TcpPath implements MediaPath {
    private final Channel channel;
    private final TcpFlushList dirty;

    public TcpPath(Channel channel, TcpFlushList dirty) {
        this.channel = channel;
        this.dirty = dirty;
    }

    @Override public void write(ByteBuf b) {
        if (!channel.isActive()) { b.release(); return; }
        int len = b.readableBytes();
        if (len > 0xFFFF) { b.release(); return; }
        ByteBuf framed;
        if (b.readerIndex() >= 2) {
            framed = b.readerIndex(b.readerIndex() - 2);
            framed.setShort(framed.readerIndex(), len);
        } else {
            framed = channel.alloc().directBuffer(len + 2).writeShort(len).writeBytes(b);
            b.release();
        }
        if (channel.eventLoop().inEventLoop()) {
            channel.write(framed, channel.voidPromise());
            dirty.mark(channel);
        } else {
            // the connection was accepted on another media loop than its endpoint's: Netty queues the write there
            channel.writeAndFlush(framed, channel.voidPromise());
        }
    }
    @Override public boolean isOpen() { return channel.isActive(); }
    @Override public String describe() { return "tcp " + channel.remoteAddress(); }
    public Channel channel() { return channel; }
}
