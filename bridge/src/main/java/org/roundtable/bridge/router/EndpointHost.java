package org.roundtable.bridge.router;

import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.metrics.BridgeMetrics;

/**
 * What an {@link Endpoint} needs from the process that hosts it (mediasoup's Transport listener): the
 * clock, metrics, settings, the DTLS identity and pool, the media loop, buffers and the socket flush, and
 * the address table. Each of the bridge's media loops implements it (and the bridge, as its first loop); component tests can fake it. Every method is called on
 * the media loop, except {@link #execute}, which the DTLS pool uses to hop back to it.
 */
public interface EndpointHost {
    /** Monotonic milliseconds (not wall-clock time). */
    long nowMs();

    BridgeMetrics metrics();

    BridgeConfig config();

    /** The DTLS certificate every endpoint presents; its fingerprint goes into answers. */
    DtlsCertificate certificate();

    /** The same allocator on every call (an endpoint may keep it). */
    ByteBufAllocator alloc();

    /** Scratch space for building and protecting one outgoing packet, the same array on every call. Media loop only. */
    byte[] scratch();

    /** ICE candidate lines (without "a=candidate:") for answers. */
    List<String> candidates();

    /** Runs a task on the media loop (from any thread). */
    void execute(Runnable r);

    /** Flushes the socket(s) written since the last flush. */
    void flush();

    /** Runs a DTLS handshake on the DTLS pool. */
    void startDtls(DtlsSession s);

    /** Reserves a place for one more pending handshake; false (counted) when none is left. */
    boolean reserveDtls();

    /** Gives back a place reserved by {@link #reserveDtls()}. */
    void dtlsEnded();

    /** Routes DTLS and SRTP from this address to e (after a valid ICE check). */
    void bindAddress(InetSocketAddress a, Endpoint e);

    /** ICE selected path p for e (a UDP remote address or an ICE-TCP connection): the host may pin a socket to it. */
    default void pathSelected(Endpoint e, org.roundtable.bridge.transport.MediaPath p) {}

    /** Drops e and its addresses from the lookup tables (e is closing). */
    void forget(Endpoint e, Set<InetSocketAddress> addrs);

    /** The packet walk's counters this host's endpoints write (one instance per media loop). */
    default org.roundtable.bridge.metrics.Pipeline pipeline() { return metrics().pipeline; }

    /**
     * Where this host's endpoints hold decrypted packets for a receiver-by-receiver fan-out; the host's
     * {@link #flush} drains it first. Null (the default): each packet goes to its subscriptions at once.
     */
    default FanoutBatch fanout() { return null; }

    /** Whether the calling thread is this host's media loop. */
    default boolean inLoop() { return false; }
}
