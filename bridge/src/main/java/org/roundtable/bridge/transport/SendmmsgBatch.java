package org.roundtable.bridge.transport;

import static java.lang.invoke.MethodType.methodType;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.net.InetSocketAddress;

/**
 * One epoll UDP socket's outgoing datagrams, collected on its event loop and sent with one {@code sendmmsg}
 * per flush, past Netty's outbound path. Netty's {@code EpollDatagramChannel} sends a flush with
 * {@code sendmmsg} too, but every datagram first walks the pipeline's write, gets a {@code ChannelOutboundBuffer}
 * entry (a recycled object, the pending-bytes atomics, a promise) and is removed from it one by one after the
 * call: 18.6% of the media loop in session 12's profile (bench/README.md). Here a datagram costs an iovec and
 * an address in Netty's own {@code NativeDatagramPacketArray}, and the call is Netty's own JNI {@code sendmmsg}
 * ({@code LinuxSocket.sendmmsg}): both are internal to Netty's epoll transport and reached through method
 * handles resolved once ({@link #UNAVAILABLE} says why not, when they cannot be; the sender then keeps Netty's
 * path). The JIT inlines a constant method handle's {@code invokeExact} like a direct call.
 * <p>Thread: the socket's event loop only.
 */
final class SendmmsgBatch {
    private static final MethodHandle NEW_ARRAY, ADD, PACKETS, CLEAR, SEND;
    /**
     * Why this path is off (Netty's internals not found: another Netty, no epoll, no sendmmsg; or
     * {@code -Droundtable.udp.netty-writes=true}); null: it is on.
     */
    static final String UNAVAILABLE;
    /** Datagrams in one sendmmsg at most: Netty's array holds UIO_MAX_IOV. */
    static final int MAX = 1024;

    static {
        MethodHandle n = null, a = null, p = null, c = null, s = null;
        String why = null;
        try {
            if (Boolean.getBoolean("roundtable.udp.netty-writes")) throw new IllegalStateException("-Droundtable.udp.netty-writes=true");
            if (!io.netty.channel.epoll.Epoll.isAvailable()) throw new IllegalStateException("no epoll");
            if (!io.netty.channel.epoll.Native.IS_SUPPORTING_SENDMMSG) throw new IllegalStateException("no sendmmsg");
            Class<?> arr = Class.forName("io.netty.channel.epoll.NativeDatagramPacketArray");
            Class<?> pkts = Class.forName("io.netty.channel.epoll.NativeDatagramPacketArray$NativeDatagramPacket").arrayType();
            Class<?> sock = Class.forName("io.netty.channel.epoll.LinuxSocket");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(arr, MethodHandles.lookup());
            n = l.findConstructor(arr, methodType(void.class)).asType(methodType(Object.class));
            a = l.findVirtual(arr, "add0", methodType(boolean.class, ByteBuf.class, int.class, int.class, int.class, InetSocketAddress.class))
                    .asType(methodType(boolean.class, Object.class, ByteBuf.class, int.class, int.class, int.class, InetSocketAddress.class));
            p = l.findVirtual(arr, "packets", methodType(pkts)).asType(methodType(Object[].class, Object.class));
            c = l.findVirtual(arr, "clear", methodType(void.class)).asType(methodType(void.class, Object.class));
            s = MethodHandles.privateLookupIn(sock, MethodHandles.lookup())
                    .findVirtual(sock, "sendmmsg", methodType(int.class, pkts, int.class, int.class))
                    .asType(methodType(int.class, Object.class, Object[].class, int.class, int.class));
            Object probe = n.invokeExact();
            int k = ((Object[]) p.invokeExact(probe)).length;
            if (k < MAX) throw new IllegalStateException("Netty's array holds " + k + " datagrams");
        } catch (Throwable t) {
            why = t.toString();
        }
        boolean ok = why == null;
        NEW_ARRAY = ok ? n : null;
        ADD = ok ? a : null;
        PACKETS = ok ? p : null;
        CLEAR = ok ? c : null;
        SEND = ok ? s : null;
        UNAVAILABLE = why;
    }

    private final Channel channel;
    private final Object array, socket;
    private final Object[] packets;
    private final ByteBuf[] held = new ByteBuf[MAX];
    private final InetSocketAddress[] to = new InetSocketAddress[MAX];
    private int count;

    /** A batch for ch's socket; null where this path is off or ch is not an epoll socket. */
    static SendmmsgBatch of(Channel ch) {
        if (UNAVAILABLE != null || !(ch instanceof io.netty.channel.epoll.EpollDatagramChannel)) return null;
        try {
            return new SendmmsgBatch(ch, ((UnixChannel) ch).fd());
        } catch (Throwable t) {
            return null;
        }
    }

    private SendmmsgBatch(Channel channel, Object socket) throws Throwable {
        this.channel = channel;
        this.socket = socket;
        this.array = NEW_ARRAY.invokeExact();
        this.packets = (Object[]) PACKETS.invokeExact(array);
    }

    int size() { return count; }

    /**
     * Adds b (direct, owned by the batch from now) for the address; false when the batch is full: flush and
     * add again.
     */
    boolean add(ByteBuf b, InetSocketAddress recipient) {
        if (count == MAX) return false;
        boolean added;
        try {
            added = (boolean) ADD.invokeExact(array, b, b.readerIndex(), b.readableBytes(), 0, recipient);
        } catch (Throwable t) {
            added = false;
        }
        if (!added) return false;
        held[count] = b;
        to[count++] = recipient;
        return true;
    }

    /**
     * Sends the batch with as few {@code sendmmsg} calls as the kernel allows, releasing what it sent. A
     * datagram the kernel refuses on its own (an address it cannot reach) is released; where the socket's
     * buffer is full (EAGAIN) the rest go to {@code rest} in order, with their addresses. The batch is empty
     * again. Returns the datagrams refused (also all of them where the socket is closed).
     */
    int flush(Overflow rest) {
        int off = 0, failed = 0;
        if (!channel.isOpen()) {
            // closed (the server stopping): its descriptor's number may already be another file's
            for (int i = 0; i < count; i++) held[i].release();
            failed = count;
            off = count;
        }
        while (off < count) {
            int n;
            try {
                n = (int) SEND.invokeExact(socket, packets, off, count - off);
            } catch (IOException e) {
                n = -1;                      // the datagram at off failed; the kernel says nothing about the rest yet
            } catch (Throwable t) {
                n = -1;
            }
            if (n == 0) break;              // EAGAIN: the send buffer is full
            if (n < 0) {
                failed++;
                held[off].release();
                held[off] = null;
                off++;
                continue;
            }
            for (int i = off; i < off + n; i++) {
                held[i].release();
                held[i] = null;
            }
            off += n;
        }
        for (int i = off; i < count; i++) {
            rest.send(held[i], to[i]);
            held[i] = null;
        }
        for (int i = 0; i < count; i++) to[i] = null;
        count = 0;
        try {
            CLEAR.invokeExact(array);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return failed;
    }

    /** Where datagrams the socket could not take now go (Netty's own queue, which waits for EPOLLOUT). */
    interface Overflow {
        void send(ByteBuf b, InetSocketAddress to);
    }
}
