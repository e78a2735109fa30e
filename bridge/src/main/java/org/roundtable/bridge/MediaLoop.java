package org.roundtable.bridge;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.Pipeline;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.router.EndpointHost;
import org.roundtable.bridge.router.FanoutBatch;
import org.roundtable.bridge.srtp.SrtpSession;
import org.roundtable.bridge.transport.TcpFlushList;
import org.roundtable.bridge.transport.UdpSender;

/**
 * One media event loop (a mediasoup Worker): its thread, its own UDP socket on the shared media port
 * ({@code SO_REUSEPORT}), the conferences and endpoints pinned to it, and what they share there: the
 * scratch array SRTP protects in, the socket's send batching, the list of ICE-TCP connections to flush,
 * the packet walk's counters. It is the {@link EndpointHost} of its endpoints; what is process-wide (the
 * DTLS identity and pool, the lookup tables) it asks the {@link Bridge} for.
 * Thread: its event loop, apart from {@link #execute}, {@link #inLoop} and the final fields.
 */
final class MediaLoop implements EndpointHost {
    final Bridge bridge;
    final int index;
    final EventLoop loop;
    private final Pipeline pipeline;
    /** Non-null while the warm-up makes its endpoints ({@link #countInto}). Loop only. */
    private BridgeMetrics metrics;
    final TcpFlushList dirtyTcp = new TcpFlushList();
    private final byte[] scratch = new byte[2048 + SrtpSession.MAX_TRAILER];
    /** The read batch's packets on their way to their receivers, receiver by receiver. Loop only. */
    private final FanoutBatch fanout = new FanoutBatch(this);
    /** Conferences placed on this loop (for placing the next one). */
    final AtomicInteger conferences = new AtomicInteger();
    /** The same conferences, for speaker detection. Loop only (added and removed by tasks on it). */
    final List<Conference> hosted = new ArrayList<>();
    Channel udp;
    UdpSender udpSender;
    /** Connected sockets for this loop's endpoints (null: one loop, or no epoll). */
    PinnedSockets pinned;
    /** Endpoints made by {@link Bridge#createEndpoint} on this loop: they get timeouts and reports. Loop only. */
    private final Set<Endpoint> endpoints = new LinkedHashSet<>();

    MediaLoop(Bridge bridge, int index, EventLoop loop, Pipeline pipeline) {
        this.bridge = bridge;
        this.index = index;
        this.loop = loop;
        this.pipeline = pipeline;
    }

    void add(Endpoint e) {
        if (endpoints.add(e)) bridge.endpointCountChanged(1);
    }

    /** Once a second: timeouts, then RTCP reports, for this loop's endpoints. */
    void tick() {
        long now = nowMs();
        for (Endpoint e : new ArrayList<>(endpoints)) {
            String why = e.checkTimeouts(now);
            if (why != null) e.close(why);
            else e.sendReports(now);
        }
        flush();
    }

    /** Every 200 ms: dominant speaker detection in this loop's conferences. */
    void detectSpeakers() {
        long now = nowMs();
        for (int i = 0; i < hosted.size(); i++) hosted.get(i).detectSpeaker(now);
    }

    void closeAll(String reason) {
        for (Endpoint e : new ArrayList<>(endpoints)) e.close(reason);
    }

    // ------------------------------------------------------------------ EndpointHost

    @Override public long nowMs() { return bridge.nowMs(); }
    @Override public BridgeMetrics metrics() { return metrics != null ? metrics : bridge.metrics; }
    @Override public BridgeConfig config() { return bridge.config(); }
    @Override public DtlsCertificate certificate() { return bridge.certificate(); }
    @Override public ByteBufAllocator alloc() { return bridge.alloc(); }
    @Override public byte[] scratch() { return scratch; }
    @Override public List<String> candidates() { return bridge.candidates(); }
    @Override public void execute(Runnable r) { loop.execute(r); }
    @Override public boolean inLoop() { return loop.inEventLoop(); }
    @Override public Pipeline pipeline() { return metrics != null ? metrics.pipeline : pipeline; }

    /**
     * Endpoints made on this loop until the next call count into m instead of the server's metrics (null:
     * the server's again): the start-up warm-up's ({@link ForwardWarmUp}), which must run on this very host,
     * so the code it compiles was profiled with the types real endpoints use. Loop only.
     */
    void countInto(BridgeMetrics m) { metrics = m; }
    @Override public void startDtls(DtlsSession s) { bridge.startDtls(s); }
    @Override public boolean reserveDtls() { return bridge.reserveDtls(); }
    @Override public void dtlsEnded() { bridge.dtlsEnded(); }
    @Override public void bindAddress(InetSocketAddress a, Endpoint e) { bridge.bindAddress(a, e); }

    @Override public void pathSelected(Endpoint e, org.roundtable.bridge.transport.MediaPath p) {
        if (pinned == null) return;
        if (p instanceof org.roundtable.bridge.transport.UdpPath u) pinned.pin(e, u.remote);
        else pinned.unpin(e);
    }

    /** Whether e's packets come to this loop's own socket: its pinned one is connected, or there are no pinned sockets. */
    boolean pinReady(Endpoint e) { return pinned == null || pinned.connected(e); }

    @Override public void forget(Endpoint e, Set<InetSocketAddress> addrs) {
        if (pinned != null) pinned.unpin(e);
        bridge.forgetEverywhere(e, addrs);
        if (endpoints.remove(e)) bridge.endpointCountChanged(-1);
    }

    @Override public FanoutBatch fanout() { return fanout; }

    /** The server stops (its sockets are closed): held packets and the socket's batch go back to the pool. */
    void closeSending() {
        fanout.drain();
        if (udpSender != null) udpSender.close();
    }

    /**
     * Hands the read batch's held packets to their receivers ({@link FanoutBatch}), then flushes this loop's
     * socket and the ICE-TCP connections written on it since the last flush.
     */
    @Override public void flush() {
        fanout.drain();
        if (udpSender != null) udpSender.flush();
        dirtyTcp.flushAll();
    }

    @Override public String toString() { return "media loop " + index; }
}
