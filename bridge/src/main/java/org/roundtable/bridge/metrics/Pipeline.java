package org.roundtable.bridge.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;

/**
 * The named steps of the RTP packet walk, in order, with their counters (exported as
 * {@code roundtable_pipeline_packets_total}, {@code _dropped_total} and {@code _seconds_total}, labelled
 * {@code path} and {@code step}):
 * <ul>
 * <li>receive, once per packet from a publisher ({@code Endpoint.onSrtp}, then {@code MediaSource.route}):
 *     {@code srtp} (SSRC to source, unprotect), {@code validate} (RTP header), {@code rtx} (RFC 4588 unwrap),
 *     {@code filter} (padding-only packets, unknown payload types), {@code stats} (receive statistics, audio
 *     level), {@code keyframe} (key-frame tagging), {@code cache} (retransmission cache), {@code fanout}
 *     (to each subscription);</li>
 * <li>send, once per copy to a receiver ({@code DownTrack.onRtp}, then {@code RtpEgress}): {@code decide}
 *     (connected? paused? the rewriter's forward or wait-for-key-frame), {@code rewrite} (the receiver's
 *     header and payload), {@code protect} (SRTP), {@code send} (onto the path).</li>
 * </ul>
 * Time is measured on one walk in {@value #SAMPLE_EVERY} and scaled up, so it costs two clock reads per
 * step on those only. Thread: one media loop writes each instance (every loop has its own); the scrape reads.
 */
public final class Pipeline {
    public static final int SAMPLE_EVERY = 64;
    /** For packets routed outside an endpoint (phone legs, benchmarks): counted nowhere anyone reads. */
    public static final Pipeline UNCOUNTED = new Pipeline();

    public final PipelineStep srtp = new PipelineStep("receive", "srtp"), validate = new PipelineStep("receive", "validate"),
            rtx = new PipelineStep("receive", "rtx"), filter = new PipelineStep("receive", "filter"),
            stats = new PipelineStep("receive", "stats"), keyframe = new PipelineStep("receive", "keyframe"),
            cache = new PipelineStep("receive", "cache"), fanout = new PipelineStep("receive", "fanout");
    public final PipelineStep decide = new PipelineStep("send", "decide"), rewrite = new PipelineStep("send", "rewrite"),
            protect = new PipelineStep("send", "protect"), send = new PipelineStep("send", "send");
    private final List<PipelineStep> steps = List.of(srtp, validate, rtx, filter, stats, keyframe, cache, fanout, decide, rewrite, protect, send);
    private int receiveWalks, sendWalks;

    /** Whether this receive walk is timed. */
    public boolean timeReceive() { return (++receiveWalks & (SAMPLE_EVERY - 1)) == 0; }
    /** Whether this send walk is timed. */
    public boolean timeSend() { return (++sendWalks & (SAMPLE_EVERY - 1)) == 0; }

    public List<PipelineStep> steps() { return steps; }

    /** Exports the steps' counters, summed over every loop's pipeline (read as they are: see {@link PipelineStep}). */
    static void register(PrometheusRegistry registry, List<Pipeline> all) {
        int n = all.get(0).steps.size();
        CounterWithCallback.builder().name("roundtable_pipeline_packets").help("Packets that entered each step of the packet walk")
                .labelNames("path", "step").callback(cb -> { for (int i = 0; i < n; i++) { long v = 0; for (Pipeline p : all) v += p.steps.get(i).packets; PipelineStep s = all.get(0).steps.get(i); cb.call(v, s.path, s.name); } })
                .register(registry);
        CounterWithCallback.builder().name("roundtable_pipeline_dropped").help("Packets each step of the packet walk dropped (reasons: roundtable_packets_dropped_total)")
                .labelNames("path", "step").callback(cb -> { for (int i = 0; i < n; i++) { long v = 0; for (Pipeline p : all) v += p.steps.get(i).dropped; PipelineStep s = all.get(0).steps.get(i); cb.call(v, s.path, s.name); } })
                .register(registry);
        CounterWithCallback.builder().name("roundtable_pipeline_seconds").help("Media loop time in each step, estimated from one walk in " + SAMPLE_EVERY)
                .labelNames("path", "step").callback(cb -> { for (int i = 0; i < n; i++) { long v = 0; for (Pipeline p : all) v += p.steps.get(i).sampledNanos; PipelineStep s = all.get(0).steps.get(i); cb.call(v * (double) SAMPLE_EVERY / 1e9, s.path, s.name); } })
                .register(registry);
    }
}
