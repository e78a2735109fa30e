package org.roundtable.recorder;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The recorder's counts in /metrics. Read on the scraping thread. */
public final class RecorderMetrics {
    private RecorderMetrics() {}

    public static void register(PrometheusRegistry r, RecordingService s) {
        GaugeWithCallback.builder().name("roundtable_recordings_active").help("Recordings being written")
                .callback(cb -> cb.call(s.activeCount())).register(r);
        GaugeWithCallback.builder().name("roundtable_recording_bytes").help("Bytes written so far by the recordings in progress")
                .callback(cb -> cb.call(s.bytesBeingWritten())).register(r);
        CounterWithCallback.builder().name("roundtable_recordings").help("Recordings since start, by what became of them")
                .labelNames("result").callback(cb -> {
                    long[] c = s.counts();
                    cb.call(c[0], "started");
                    cb.call(c[1], "complete");
                    cb.call(c[2], "failed");
                    cb.call(c[3], "interrupted");
                }).register(r);
    }
}
