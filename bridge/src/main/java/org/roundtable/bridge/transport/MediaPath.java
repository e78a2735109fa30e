package org.roundtable.bridge.transport;

import io.netty.buffer.ByteBuf;

/**
 * Where an endpoint's packets go once ICE picked a pair: a UDP remote address on a media socket, or an
 * ICE-TCP connection (RFC 6544, RFC 4571 framing). write() takes ownership of the buffer and does not
 * flush; the bridge flushes at the end of each read batch and timer tick (UDP also every few dozen
 * packets). Thread: the media loop.
 */
public interface MediaPath {
    /** Free bytes a sender may leave before a packet's data for a path's framing (ICE-TCP's length). */
    int HEADROOM = 2;

    void write(ByteBuf b);

    /**
     * Sends a copy of a[off, off + len) (the caller keeps its array): by default in a pooled direct buffer
     * from alloc with {@link #HEADROOM}; a UDP path copies it straight into its socket's batch.
     */
    default void writeCopy(byte[] a, int off, int len, io.netty.buffer.ByteBufAllocator alloc) {
        ByteBuf out = alloc.directBuffer(len + HEADROOM);
        out.setIndex(HEADROOM, HEADROOM);
        out.writeBytes(a, off, len);
        write(out);
    }
    boolean isOpen();
    String describe();
}
