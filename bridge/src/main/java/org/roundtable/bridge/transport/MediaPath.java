package org.roundtable.bridge.transport;

import io.netty.buffer.ByteBuf;

/**
 * Where an endpoint's packets go once ICE picked a pair: a UDP remote address on the shared socket, or an
 * ICE-TCP connection (RFC 6544, RFC 4571 framing). write() takes ownership of the buffer and does not
 * flush; the bridge flushes at the end of each read batch and timer tick. Thread: the media loop.
 */
public interface MediaPath {
    void write(ByteBuf b);
    boolean isOpen();
    String describe();
}
