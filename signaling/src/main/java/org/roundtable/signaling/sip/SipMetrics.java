package org.roundtable.signaling.sip;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The SIP gateway's and the IVR's Prometheus metrics. Thread-safe. */
public final class SipMetrics {
    public final Gauge activeCalls, registered;
    public final Counter calls, ivrAttempts, badRequests, rtcp, dialOutRefused;
    public final io.prometheus.metrics.core.metrics.Histogram joinSeconds;
    /** The latest caller's time from the last password key to joining, in ms (-1: none yet). */
    public volatile long lastJoinDelayMs = -1;

    public SipMetrics(PrometheusRegistry r) {
        activeCalls = Gauge.builder().name("roundtable_sip_active_calls").help("Phone calls up now (incoming and outgoing)").register(r);
        registered = Gauge.builder().name("roundtable_sip_registered").help("1 while registered to the PBX").register(r);
        calls = Counter.builder().name("roundtable_sip_calls").help("Phone calls by direction and outcome")
                .labelNames("direction", "result").register(r);
        ivrAttempts = Counter.builder().name("roundtable_ivr_attempts").help("Meeting number and password entries by result")
                .labelNames("result").register(r);
        joinSeconds = io.prometheus.metrics.core.metrics.Histogram.builder().name("roundtable_ivr_join_seconds")
                .help("From a caller's last password key to joining the meeting").classicOnly()
                .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2).register(r);
        rtcp = Counter.builder().name("roundtable_sip_rtcp_packets").help("RTCP on phone legs: received (by packet type), sent (sr, rr), dropped (by reason)")
                .labelNames("direction", "type").register(r);
        dialOutRefused = Counter.builder().name("roundtable_sip_dial_out_refused").help("Dial-outs and calls back refused before an INVITE: target_not_allowed, rate_limited, busy")
                .labelNames("reason").register(r);
        badRequests = Counter.builder().name("roundtable_sip_rejected").help("SIP requests refused, by response code")
                .labelNames("code").register(r);
    }

    /** Counts a phone leg's RTCP into {@link #rtcp}. */
    public org.roundtable.bridge.transport.PlainRtpLeg.RtcpObserver rtcpObserver() {
        return new org.roundtable.bridge.transport.PlainRtpLeg.RtcpObserver() {
            @Override public void received(String type) { rtcp.labelValues("in", type).inc(); }
            @Override public void sent(String type) { rtcp.labelValues("out", type).inc(); }
            @Override public void dropped(String why) { rtcp.labelValues("dropped", why).inc(); }
        };
    }
}
