package org.roundtable.streaming.live;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.roundtable.streaming.StreamingMetrics;
import org.roundtable.streaming.hls.HlsMetrics;
import org.roundtable.streaming.rtmp.RtmpMetrics;

/**
 * Live streaming in /metrics: meetings live now, the HLS output's counts ({@link StreamingMetrics}:
 * viewers, requests by kind and status, bytes, held requests, parts) and the RTMP pushes
 * ({@link RtmpMetrics}: targets by state, bytes, frames, reconnects). Read on the scraping thread.
 */
public final class LiveMetrics {
    private LiveMetrics() {}

    public static void register(PrometheusRegistry r, LiveDirectory directory, HlsMetrics hls, RtmpMetrics rtmp) {
        GaugeWithCallback.builder().name("roundtable_live_streams").help("Meetings streaming live now")
                .callback(cb -> cb.call(directory.liveCount())).register(r);
        StreamingMetrics.register(r, hls);
        rtmp.register(r);
    }
}
