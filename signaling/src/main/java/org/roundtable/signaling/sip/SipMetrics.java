package org.roundtable.signaling.sip;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The SIP gateway's and the IVR's Prometheus metrics. Thread-safe. */
public final class SipMetrics {
    public final Gauge activeCalls, registered;
    public final Counter calls, ivrAttempts, badRequests;

    public SipMetrics(PrometheusRegistry r) {
        activeCalls = Gauge.builder().name("roundtable_sip_active_calls").help("Phone calls up now (incoming and outgoing)").register(r);
        registered = Gauge.builder().name("roundtable_sip_registered").help("1 while registered to the PBX").register(r);
        calls = Counter.builder().name("roundtable_sip_calls").help("Phone calls by direction and outcome")
                .labelNames("direction", "result").register(r);
        ivrAttempts = Counter.builder().name("roundtable_ivr_attempts").help("Meeting number and password entries by result")
                .labelNames("result").register(r);
        badRequests = Counter.builder().name("roundtable_sip_rejected").help("SIP requests refused, by response code")
                .labelNames("code").register(r);
    }
}
