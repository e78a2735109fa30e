package org.roundtable.bridge.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/** A remote address reached through the shared UDP media socket. Thread: the media loop. */
public final class UdpPath implements MediaPath {
    private final Channel channel;
    public final InetSocketAddress remote;

    public UdpPath(Channel channel, InetSocketAddress remote) {
        this.channel = channel;
        this.remote = remote;
    }

    @Override public void write(ByteBuf b) { channel.write(new DatagramPacket(b, remote), channel.voidPromise()); }
    @Override public boolean isOpen() { return channel.isActive(); }
    @Override public String describe() { return "udp " + remote.getAddress().getHostAddress() + ":" + remote.getPort(); }
}
