package org.roundtable.bridge.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The bridge's Prometheus metrics. Data points used per packet are looked up once here, so the hot path
 * only does a lock-free add. Thread: any.
 */
public final class BridgeMetrics {
    public final PrometheusRegistry registry;
    public final Gauge meetings, endpoints;
    public final Histogram iceSeconds, dtlsSeconds;
    public final Counter srtpFailures;
    private final CounterDataPoint[] dropped = new CounterDataPoint[DropReason.values().length];
    public final CounterDataPoint audioPktsIn, videoPktsIn, rtcpPktsIn, audioBytesIn, videoBytesIn, rtcpBytesIn;
    public final CounterDataPoint audioPktsOut, videoPktsOut, rtcpPktsOut, audioBytesOut, videoBytesOut, rtcpBytesOut;
    public final CounterDataPoint retransmissions, keyframeRequests, srtpUnprotectFailures, srtpProtectFailures;
    public final CounterDataPoint dtlsFailures, dtlsRejected;
    public final Gauge dtlsPending, iceTcpConnections;
    /** ICE-TCP connections the bridge closed: over the connection cap, or no authenticated check in time. */
    public final CounterDataPoint iceTcpOverCap, iceTcpUnauthenticated;

    /** The packet walk's steps and their counters (written by the media loop). */
    /** The first media loop's packet walk counters (the one tests and single-loop bridges use). */
    public final Pipeline pipeline = new Pipeline();
    /** Every media loop's counters, each written by its own loop only; the scrape sums them. */
    private final java.util.List<Pipeline> pipelines = new java.util.concurrent.CopyOnWriteArrayList<>(java.util.List.of(pipeline));
    /** Packets that arrived on one media loop's socket for an endpoint of another loop, and were handed over. */
    public final CounterDataPoint loopHandoffs;
    /** Media loops running. */
    public final Gauge mediaLoops;
    /** Connected UDP sockets pinning endpoints' remote addresses to their loops, and those that could not be made. */
    public final Gauge pinnedSockets;
    public final CounterDataPoint pinFailures;
    /** UDP GSO (UDP_SEGMENT): messages sent, the datagrams in them, and messages the kernel refused (GSO then goes off on that socket). */
    public final CounterDataPoint gsoMessages, gsoDatagrams, gsoRefused;

    public BridgeMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        Pipeline.register(registry, pipelines);
        loopHandoffs = Counter.builder().name("roundtable_media_loop_handoffs")
                .help("Packets received on one media loop's socket for an endpoint of another loop, handed over to it").register(registry).labelValues();
        pinnedSockets = Gauge.builder().name("roundtable_media_pinned_sockets")
                .help("Connected UDP sockets that bring an endpoint's packets straight to its media loop (with more than one loop)").register(registry);
        pinFailures = Counter.builder().name("roundtable_media_pin_failures")
                .help("Connected UDP sockets for endpoints that could not be made (their packets are handed over between loops instead)").register(registry).labelValues();
        gsoMessages = Counter.builder().name("roundtable_udp_gso_messages")
                .help("UDP sends that carried several datagrams for one receiver as one GSO (UDP_SEGMENT) message").register(registry).labelValues();
        gsoDatagrams = Counter.builder().name("roundtable_udp_gso_datagrams")
                .help("Datagrams sent inside GSO (UDP_SEGMENT) messages").register(registry).labelValues();
        gsoRefused = Counter.builder().name("roundtable_udp_gso_refused")
                .help("GSO messages the kernel refused (that socket then sends each datagram alone)").register(registry).labelValues();
        mediaLoops = Gauge.builder().name("roundtable_media_loops").help("Media event loops (threads) running").register(registry);
        meetings = Gauge.builder().name("roundtable_meetings").help("Meetings with media state in the bridge").register(registry);
        endpoints = Gauge.builder().name("roundtable_endpoints").help("Media endpoints (peer connections) in the bridge").register(registry);
        iceSeconds = Histogram.builder().name("roundtable_ice_connect_seconds").help("Endpoint creation to first valid ICE check")
                .classicOnly().classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10).register(registry);
        dtlsSeconds = Histogram.builder().name("roundtable_dtls_handshake_seconds").help("DTLS handshake duration")
                .classicOnly().classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5).register(registry);
        Counter pkts = Counter.builder().name("roundtable_packets").help("RTP/RTCP packets by direction and media type")
                .labelNames("direction", "type").register(registry);
        Counter bytes = Counter.builder().name("roundtable_bytes").help("RTP/RTCP bytes (SRTP on the wire) by direction and media type")
                .labelNames("direction", "type").register(registry);
        audioPktsIn = pkts.labelValues("in", "audio"); videoPktsIn = pkts.labelValues("in", "video"); rtcpPktsIn = pkts.labelValues("in", "rtcp");
        audioBytesIn = bytes.labelValues("in", "audio"); videoBytesIn = bytes.labelValues("in", "video"); rtcpBytesIn = bytes.labelValues("in", "rtcp");
        audioPktsOut = pkts.labelValues("out", "audio"); videoPktsOut = pkts.labelValues("out", "video"); rtcpPktsOut = pkts.labelValues("out", "rtcp");
        audioBytesOut = bytes.labelValues("out", "audio"); videoBytesOut = bytes.labelValues("out", "video"); rtcpBytesOut = bytes.labelValues("out", "rtcp");
        Counter drops = Counter.builder().name("roundtable_packets_dropped").help("Packets dropped, by reason")
                .labelNames("reason").register(registry);
        for (DropReason r : DropReason.values()) dropped[r.ordinal()] = drops.labelValues(r.label);
        srtpFailures = Counter.builder().name("roundtable_srtp_failures").help("SRTP/SRTCP transform failures")
                .labelNames("op").register(registry);
        srtpUnprotectFailures = srtpFailures.labelValues("unprotect");
        srtpProtectFailures = srtpFailures.labelValues("protect");
        retransmissions = Counter.builder().name("roundtable_retransmissions").help("Packets re-sent in answer to NACKs")
                .register(registry).labelValues();
        keyframeRequests = Counter.builder().name("roundtable_keyframe_requests").help("PLIs sent to publishers")
                .register(registry).labelValues();
        dtlsFailures = Counter.builder().name("roundtable_dtls_failures").help("DTLS handshakes that failed")
                .register(registry).labelValues();
        dtlsRejected = Counter.builder().name("roundtable_dtls_rejected").help("Endpoints closed because too many DTLS handshakes were pending")
                .register(registry).labelValues();
        dtlsPending = Gauge.builder().name("roundtable_dtls_pending").help("DTLS handshakes in progress").register(registry);
        iceTcpConnections = Gauge.builder().name("roundtable_ice_tcp_connections").help("Open ICE-TCP connections").register(registry);
        Counter tcpClosed = Counter.builder().name("roundtable_ice_tcp_closed").help("ICE-TCP connections closed by the bridge, by reason")
                .labelNames("reason").register(registry);
        iceTcpOverCap = tcpClosed.labelValues("over_cap");
        iceTcpUnauthenticated = tcpClosed.labelValues("unauthenticated");
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("roundtable_buffer_leaks")
                .help("Pooled buffers garbage-collected without being released (counted while Netty's leak detection is on)")
                .callback(cb -> cb.call(LeakReports.count())).register(registry);
    }

    /** Counters for one more media loop's packet walk. */
    public Pipeline newPipeline() {
        Pipeline p = new Pipeline();
        pipelines.add(p);
        return p;
    }

    public void drop(DropReason r) { dropped[r.ordinal()].inc(); }
    public void drop(DropReason r, long n) { dropped[r.ordinal()].inc(n); }

    public long dropped(DropReason r) { return (long) dropped[r.ordinal()].get(); }
}
