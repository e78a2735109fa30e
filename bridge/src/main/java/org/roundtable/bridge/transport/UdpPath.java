package org.roundtable.bridge.transport;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/** A remote address reached through a UDP media socket's {@link UdpSender}. Thread: the media loop. */
public final class UdpPath implements MediaPath {
    private final UdpSender sender;
    public final InetSocketAddress remote;

    public UdpPath(UdpSender sender, InetSocketAddress remote) {
        this.sender = sender;
        this.remote = remote;
    }

    @Override public void write(ByteBuf b) { sender.send(b, remote); }
    @Override public void writeCopy(byte[] a, int off, int len, io.netty.buffer.ByteBufAllocator alloc) { sender.sendCopy(a, off, len, remote); }
    @Override public boolean isOpen() { return sender.channel().isActive(); }
    @Override public String describe() { return "udp " + remote.getAddress().getHostAddress() + ":" + remote.getPort(); }
}
