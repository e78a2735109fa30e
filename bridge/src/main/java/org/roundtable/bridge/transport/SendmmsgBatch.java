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
 * <p>A datagram comes either with a buffer of its own ({@link #add}) or as bytes copied into the batch's
 * arena ({@link #addCopy}: the RTP egress's packets, protected in a heap scratch array, whose copy into native
 * memory the kernel needs anyway). In the arena a receiver's consecutive datagrams lie back to back, so where
 * the kernel has UDP GSO ({@code UDP_SEGMENT}) they leave as one message with a segment size (Netty's native
 * {@code sendmmsg} adds the control message): one pass through the stack for the lot, which the network card
 * or the kernel cuts into the same datagrams. The fan-out hands them over receiver by receiver for that
 * ({@code FanoutBatch}).
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
    /** Whether the kernel takes UDP_SEGMENT (Linux 4.18+), as Netty's native library found. */
    static final boolean GSO_SUPPORTED;
    /** The arena's size: a flush of 32 datagrams of 1,500 bytes needs 48 KB; a longer flush is cut where it fills. */
    static final int ARENA_BYTES = 256 * 1024;
    /**
     * GSO limits: the kernel's UDP_MAX_SEGMENTS (64) and an IP datagram's 64 KB, and a segment that fits a
     * 1,500-byte MTU behind IPv6 and UDP headers (a path with a smaller MTU refuses the message: GSO goes off).
     */
    static final int MAX_SEGMENTS = 64, MAX_GSO_BYTES = 65_000, MAX_SEGMENT = 1452;

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
        boolean g = false;
        try {
            g = why == null && io.netty.channel.epoll.SegmentedDatagramPacket.isSupported();
        } catch (Throwable t) { /* an older Netty */ }
        GSO_SUPPORTED = g;
    }

    private final Channel channel;
    private final Object array, socket;
    private final Object[] packets;
    /**
     * Per entry (one message of the sendmmsg): its own buffer ({@link #add}), or null for a run of the
     * arena ({@link #addCopy}); where it starts and how long it is; the segment size of a GSO message (each
     * datagram but the last that long) and its datagrams.
     */
    private final ByteBuf[] held = new ByteBuf[MAX];
    private final int[] start = new int[MAX], length = new int[MAX], segment = new int[MAX], segments = new int[MAX];
    private final InetSocketAddress[] to = new InetSocketAddress[MAX];
    private int count;
    /** Datagrams in the batch (a GSO message counts its segments). */
    private int datagrams;
    /**
     * Where {@link #addCopy} writes: one direct buffer the batch's datagrams are copied into back to back,
     * so that consecutive datagrams for one address lie next to each other and can leave as one GSO message.
     * Emptied at each flush.
     */
    private final ByteBuf arena, arenaOwner;
    private int arenaUsed;
    private boolean released;
    /** Consecutive datagrams for one address go as one message with UDP_SEGMENT (GSO). Off after a refusal. */
    private boolean gso;
    /** GSO messages and the datagrams in them since they were last taken ({@link #gsoMessagesTaken}, {@link #gsoDatagramsTaken}). */
    private long gsoMessages, gsoDatagrams;
    /** A GSO message the kernel refused (the socket now sends each datagram alone). */
    private boolean gsoRefused;
    /** Tests only: the segment size given to the kernel for GSO messages instead of the real one (0: the real one). */
    int segmentOverrideForTest;

    /** A batch for ch's socket; null where this path is off or ch is not an epoll socket. gso: ask for UDP_SEGMENT where the kernel has it. */
    static SendmmsgBatch of(Channel ch, boolean gso) {
        if (UNAVAILABLE != null || !(ch instanceof io.netty.channel.epoll.EpollDatagramChannel)) return null;
        try {
            return new SendmmsgBatch(ch, ((UnixChannel) ch).fd(), gso && GSO_SUPPORTED);
        } catch (Throwable t) {
            return null;
        }
    }

    private SendmmsgBatch(Channel channel, Object socket, boolean gso) throws Throwable {
        this.channel = channel;
        this.socket = socket;
        this.array = NEW_ARRAY.invokeExact();
        this.packets = (Object[]) PACKETS.invokeExact(array);
        this.arenaOwner = channel.alloc().directBuffer(ARENA_BYTES, ARENA_BYTES);
        // written through the buffer under a leak detector's wrapper, whose every write would record a stack
        // trace (each datagram's copy, at the paranoid level the tests run); the wrapper is what is released
        ByteBuf inner = arenaOwner.unwrap();
        this.arena = inner != null ? inner : arenaOwner;
        this.gso = gso;
    }

    int size() { return datagrams; }

    /** Whether consecutive datagrams for one address leave as one GSO message (the kernel has not refused one). */
    boolean gso() { return gso; }

    /**
     * Adds b (direct, owned by the batch from now) for the address; false when the batch is full: flush and
     * add again.
     */
    boolean add(ByteBuf b, InetSocketAddress recipient) {
        if (count == MAX) return false;
        held[count] = b;
        start[count] = b.readerIndex();
        length[count] = b.readableBytes();
        segment[count] = 0;
        segments[count] = 1;
        to[count++] = recipient;
        datagrams++;
        return true;
    }

    /**
     * Copies a datagram into the batch's arena (the copy the kernel needs native memory for anyway); where the
     * previous datagram went to the same address, lies just before it and this one is no longer than it (and
     * no shorter one came yet), the two become one GSO message. False when the batch is full: flush and add again.
     */
    boolean addCopy(byte[] a, int off, int len, InetSocketAddress recipient) {
        if (released) return false;
        int last = count - 1;
        if (gso && last >= 0 && held[last] == null && to[last] == recipient) {
            int seg = segment[last], k = segments[last], l = length[last];
            if (seg > 0 && l == seg * k && len <= seg && k < MAX_SEGMENTS && l + len <= MAX_GSO_BYTES
                    && arenaUsed + len <= ARENA_BYTES) {
                arena.setBytes(arenaUsed, a, off, len);
                arenaUsed += len;
                length[last] = l + len;
                segments[last] = k + 1;
                datagrams++;
                return true;
            }
        }
        if (count == MAX || arenaUsed + len > ARENA_BYTES) return false;
        arena.setBytes(arenaUsed, a, off, len);
        held[count] = null;
        start[count] = arenaUsed;
        length[count] = len;
        segment[count] = len <= MAX_SEGMENT ? len : 0;      // 0: never grows into a GSO message
        segments[count] = 1;
        to[count++] = recipient;
        arenaUsed += len;
        datagrams++;
        return true;
    }

    /**
     * Sends the batch with as few {@code sendmmsg} calls as the kernel allows, releasing what it sent. A
     * datagram the kernel refuses on its own (an address it cannot reach) is released; where the socket's
     * buffer is full (EAGAIN) the rest go to {@code rest} in order, with their addresses (an arena run as a
     * copy per datagram). A GSO message the kernel refuses (a device or path that cannot take it) turns GSO
     * off for this socket, and it and the rest go to {@code rest} datagram by datagram. The batch is empty
     * again. Returns the datagrams refused (also all of them where the socket is closed).
     */
    int flush(Overflow rest) {
        int off = 0, failed = 0;
        if (!channel.isOpen()) {
            // closed (the server stopping): its descriptor's number may already be another file's
            for (int i = 0; i < count; i++) if (held[i] != null) held[i].release();
            failed = datagrams;
            off = count;
        }
        int queued = 0;
        if (off < count) queued = fill();
        while (off < queued) {
            int n;
            try {
                n = (int) SEND.invokeExact(socket, packets, off, queued - off);
            } catch (IOException e) {
                n = -1;                      // the message at off failed; the kernel says nothing about the rest yet
            } catch (Throwable t) {
                n = -1;
            }
            if (n == 0) break;              // EAGAIN: the send buffer is full
            if (n < 0) {
                if (segments[off] > 1) {     // a GSO message refused: it and the rest go one by one
                    gso = false;
                    gsoRefused = true;
                    break;
                }
                failed++;
                if (held[off] != null) held[off].release();
                held[off] = null;
                off++;
                continue;
            }
            for (int i = off; i < off + n; i++) {
                if (segments[i] > 1) { gsoMessages++; gsoDatagrams += segments[i]; }
                if (held[i] != null) held[i].release();
                held[i] = null;
            }
            off += n;
        }
        for (int i = off; i < count; i++) {
            if (held[i] != null) {
                rest.send(held[i], to[i]);
                held[i] = null;
            } else {
                int p = start[i], end = p + length[i], seg = segments[i] > 1 ? segment[i] : length[i];
                for (; p < end; p += seg) {
                    int l = Math.min(seg, end - p);
                    rest.send(channel.alloc().directBuffer(l).writeBytes(arena, p, l), to[i]);
                }
            }
        }
        for (int i = 0; i < count; i++) to[i] = null;
        count = 0;
        datagrams = 0;
        arenaUsed = 0;
        try {
            CLEAR.invokeExact(array);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return failed;
    }

    /**
     * Puts the entries into Netty's array (an arena run with its segment size); returns how many went in
     * (one that did not, a limit of Netty's array, is sent later through {@code rest}).
     */
    private int fill() {
        for (int i = 0; i < count; i++) {
            boolean added;
            try {
                ByteBuf b = held[i] != null ? held[i] : arena;
                int seg = segments[i] > 1 ? (segmentOverrideForTest > 0 ? segmentOverrideForTest : segment[i]) : 0;
                added = (boolean) ADD.invokeExact(array, b, start[i], length[i], seg, to[i]);
            } catch (Throwable t) {
                added = false;
            }
            if (!added) return i;
        }
        return count;
    }

    /** GSO messages sent and the datagrams in them since the last call, as {messages, datagrams}; whether one was refused. */
    long gsoMessagesTaken() { long m = gsoMessages; gsoMessages = 0; return m; }
    long gsoDatagramsTaken() { long d = gsoDatagrams; gsoDatagrams = 0; return d; }
    boolean gsoRefusedTaken() { boolean r = gsoRefused; gsoRefused = false; return r; }

    /** Gives the arena back (the socket closed for good): nothing is copied into the batch from now on. */
    void release() {
        if (released) return;
        released = true;
        arenaOwner.release();
    }

    /** Where datagrams the socket could not take now go (Netty's own queue, which waits for EPOLLOUT). */
    interface Overflow {
        void send(ByteBuf b, InetSocketAddress to);
    }
}
