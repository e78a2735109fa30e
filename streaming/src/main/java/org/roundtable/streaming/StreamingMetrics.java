package org.roundtable.streaming;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.roundtable.streaming.hls.HlsMetrics;

/** The live outputs' counts in /metrics (the built-in LL-HLS output for now). Read on the scraping thread. */
public final class StreamingMetrics {
    private StreamingMetrics() {}

    public static void register(PrometheusRegistry r, HlsMetrics hls) {
        GaugeWithCallback.builder().name("roundtable_hls_streams").help("LL-HLS streams open")
                .callback(cb -> cb.call(hls.streams())).register(r);
        GaugeWithCallback.builder().name("roundtable_hls_viewers")
                .help("Distinct clients (address + User-Agent) seen in the last 15 s, over all open LL-HLS streams")
                .callback(cb -> cb.call(hls.viewers())).register(r);
        GaugeWithCallback.builder().name("roundtable_hls_waiting_requests")
                .help("LL-HLS requests held now (blocking playlist reloads, preload-hinted parts)")
                .callback(cb -> cb.call(hls.waiting())).register(r);
        CounterWithCallback.builder().name("roundtable_hls_requests").help("LL-HLS requests answered, by what they asked for and status")
                .labelNames("kind", "status").callback(cb -> {
                    for (HlsMetrics.Kind k : HlsMetrics.Kind.values()) {
                        String kind = k.name().toLowerCase();
                        for (int status : HlsMetrics.STATUSES) {
                            long n = hls.requests(k, status);
                            if (n > 0) cb.call(n, kind, Integer.toString(status));
                        }
                        long other = hls.requests(k, -1);
                        if (other > 0) cb.call(other, kind, "other");
                    }
                }).register(r);
        CounterWithCallback.builder().name("roundtable_hls_sent_bytes").help("LL-HLS response body bytes sent")
                .callback(cb -> cb.call(hls.bytesServed())).register(r);
        CounterWithCallback.builder().name("roundtable_hls_blocking_outcomes").help("LL-HLS held requests that timed out (503) or were refused (too many held)")
                .labelNames("outcome").callback(cb -> {
                    cb.call(hls.timeouts(), "timeout");
                    cb.call(hls.refused(), "refused");
                    cb.call(hls.wakeRejected(), "wake_rejected");
                }).register(r);
        CounterWithCallback.builder().name("roundtable_hls_media").help("LL-HLS parts and segments made (forced: cut without a key frame)")
                .labelNames("what").callback(cb -> {
                    cb.call(hls.parts(), "part");
                    cb.call(hls.segments(), "segment");
                    cb.call(hls.forcedCuts(), "forced_segment_cut");
                }).register(r);
        CounterWithCallback.builder().name("roundtable_hls_frames_dropped").help("Frames the LL-HLS packager did not use, by reason")
                .labelNames("reason").callback(cb -> {
                    for (HlsMetrics.Drop d : HlsMetrics.Drop.values()) cb.call(hls.dropped(d), d.name().toLowerCase());
                }).register(r);
    }
}
