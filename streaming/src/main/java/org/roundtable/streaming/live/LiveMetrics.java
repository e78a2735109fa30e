package org.roundtable.streaming.live;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.roundtable.streaming.hls.HlsMetrics;
import org.roundtable.streaming.rtmp.RtmpMetrics;

/**
 * Live streaming in /metrics: streams live, viewers (distinct clients of the last 15 s), HLS requests by
 * kind and status, bytes served, blocked reloads waiting and timed out, and the RTMP pushes (by state,
 * bytes, reconnects, drops; see {@link RtmpMetrics}). Read on the scraping thread.
 */
public final class LiveMetrics {
    private LiveMetrics() {}

    public static void register(PrometheusRegistry r, LiveDirectory directory, HlsMetrics hls, RtmpMetrics rtmp) {
        GaugeWithCallback.builder().name("roundtable_live_streams").help("Meetings streaming live now")
                .callback(cb -> cb.call(directory.liveCount())).register(r);
        GaugeWithCallback.builder().name("roundtable_live_viewers").help("HLS viewers of live streams (distinct clients seen in the last 15 s)")
                .callback(cb -> cb.call(hls.viewers())).register(r);
        CounterWithCallback.builder().name("roundtable_hls_bytes").help("Bytes of HLS playlists, segments and parts served")
                .callback(cb -> cb.call(hls.bytesServed())).register(r);
        CounterWithCallback.builder().name("roundtable_hls_requests").help("HLS requests by kind and status")
                .labelNames("kind", "status").callback(cb -> {
                    for (HlsMetrics.Kind k : HlsMetrics.Kind.values()) {
                        for (int status : HlsMetrics.STATUSES) {
                            long n = hls.requests(k, status);
                            if (n > 0) cb.call(n, k.name().toLowerCase(), Integer.toString(status));
                        }
                    }
                }).register(r);
        GaugeWithCallback.builder().name("roundtable_hls_blocked_requests").help("Blocked playlist reloads and part requests waiting now")
                .callback(cb -> cb.call(hls.waiting())).register(r);
        CounterWithCallback.builder().name("roundtable_hls_blocked_timeouts").help("Blocked requests answered 503 because the stream did not advance in time")
                .callback(cb -> cb.call(hls.timeouts())).register(r);
        CounterWithCallback.builder().name("roundtable_hls_parts").help("LL-HLS parts and segments made").labelNames("kind")
                .callback(cb -> {
                    cb.call(hls.parts(), "part");
                    cb.call(hls.segments(), "segment");
                }).register(r);
        rtmp.register(r);
    }
}
