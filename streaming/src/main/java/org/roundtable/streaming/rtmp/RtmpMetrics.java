package org.roundtable.streaming.rtmp;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * All RTMP pushes of a server, for /metrics: targets by state, and bytes, frames and reconnects since start
 * (the pushes still running plus those that ended, so the counters never go down). Pushes add themselves
 * when made and leave when they have stopped (a failed push stays, shown as failed, until it is closed). Thread-safe: pushes on their threads, the scrape on its own.
 */
public final class RtmpMetrics {
    private final Set<RtmpPush> pushes = new LinkedHashSet<>();
    private long endedBytes, endedSent, endedDropped, endedReconnects;

    synchronized void add(RtmpPush p) { pushes.add(p); }

    synchronized void remove(RtmpPush p) {
        if (!pushes.remove(p)) return;
        RtmpPush.Stats s = p.stats();
        endedBytes += s.bytesSent();
        endedSent += s.framesSent();
        endedDropped += s.framesDropped();
        endedReconnects += s.reconnects();
    }

    /** The pushes made and not yet stopped (failed ones until closed). */
    public synchronized List<RtmpPush> pushes() { return new ArrayList<>(pushes); }

    public synchronized Map<RtmpPush.State, Integer> targetsByState() {
        Map<RtmpPush.State, Integer> m = new EnumMap<>(RtmpPush.State.class);
        for (RtmpPush.State st : RtmpPush.State.values()) m.put(st, 0);
        for (RtmpPush p : pushes) m.merge(p.state(), 1, Integer::sum);
        return m;
    }

    /** Counts of all pushes since start (those still running and those that ended). */
    public record Totals(long bytesSent, long framesSent, long framesDropped, long reconnects) {}

    public synchronized Totals totals() {
        long b = endedBytes, s = endedSent, d = endedDropped, r = endedReconnects;
        for (RtmpPush p : pushes) {
            RtmpPush.Stats st = p.stats();
            b += st.bytesSent();
            s += st.framesSent();
            d += st.framesDropped();
            r += st.reconnects();
        }
        return new Totals(b, s, d, r);
    }

    public void register(PrometheusRegistry r) {
        GaugeWithCallback.builder().name("roundtable_rtmp_targets").help("RTMP push targets, by state")
                .labelNames("state").callback(cb -> targetsByState()
                        .forEach((st, n) -> cb.call(n, st.name().toLowerCase(java.util.Locale.ROOT)))).register(r);
        CounterWithCallback.builder().name("roundtable_rtmp_sent_bytes").help("Bytes sent to RTMP servers")
                .callback(cb -> cb.call(totals().bytesSent())).register(r);
        CounterWithCallback.builder().name("roundtable_rtmp_frames").help("Frames given to RTMP pushes, by what became of them")
                .labelNames("result").callback(cb -> {
                    Totals t = totals();
                    cb.call(t.framesSent(), "sent");
                    cb.call(t.framesDropped(), "dropped");
                }).register(r);
        CounterWithCallback.builder().name("roundtable_rtmp_reconnects").help("RTMP connection attempts after a failure or a drop")
                .callback(cb -> cb.call(totals().reconnects())).register(r);
    }
}
