package org.roundtable.bridge.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.Set;

/**
 * An ICE-TCP connection (passive, RFC 6544); the pipeline's length-field prepender adds the RFC 4571
 * two-byte frame length. Marks itself dirty so the bridge flushes it. Thread: the media loop.
 */
public final class TcpPath implements MediaPath {
    private final Channel channel;
    private final Set<Channel> dirty;

    public TcpPath(Channel channel, Set<Channel> dirty) {
        this.channel = channel;
        this.dirty = dirty;
    }

    @Override public void write(ByteBuf b) {
        if (!channel.isActive()) { b.release(); return; }
        channel.write(b, channel.voidPromise());
        dirty.add(channel);
    }
    @Override public boolean isOpen() { return channel.isActive(); }
    @Override public String describe() { return "tcp " + channel.remoteAddress(); }
    public Channel channel() { return channel; }
}
