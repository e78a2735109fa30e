package org.roundtable.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.Recycler;
import java.net.InetSocketAddress;

/**
 * A received packet on its way from the media loop whose socket the kernel gave it to ({@code SO_REUSEPORT}
 * hashes each remote address to one socket) to the loop its endpoint lives on: the buffer travels as it is
 * (its reference moves, nothing is copied), and the envelope is pooled, so a hand-over allocates nothing.
 * The receiving loop flushes its socket after the packet, as a read batch would.
 * Thread: made on the receiving loop, run (and recycled) on the endpoint's loop.
 */
final class LoopHandoff implements Runnable {
    private static final Recycler<LoopHandoff> POOL = new Recycler<>() {
        @Override protected LoopHandoff newObject(Handle<LoopHandoff> h) { return new LoopHandoff(h); }
    };

    private final Recycler.Handle<LoopHandoff> handle;
    private MediaLoop to;
    private ByteBuf buf;
    private InetSocketAddress from;
    private Channel tcp;

    private LoopHandoff(Recycler.Handle<LoopHandoff> handle) { this.handle = handle; }

    /** Hands buf (whose reference the caller gives up) to loop to. */
    static void send(MediaLoop to, ByteBuf buf, InetSocketAddress from, Channel tcp) {
        LoopHandoff h = POOL.get();
        h.to = to;
        h.buf = buf;
        h.from = from;
        h.tcp = tcp;
        try {
            to.loop.execute(h);
        } catch (RuntimeException rejected) {      // the loop is shutting down
            h.recycleWith(true);
        }
    }

    @Override public void run() {
        MediaLoop t = to;
        ByteBuf b = buf;
        InetSocketAddress f = from;
        Channel c = tcp;
        recycleWith(false);
        t.bridge.ingress(b, f, c, t);
        t.flush();
    }

    private void recycleWith(boolean release) {
        if (release && buf != null) buf.release();
        to = null;
        buf = null;
        from = null;
        tcp = null;
        handle.recycle(this);
    }
}
