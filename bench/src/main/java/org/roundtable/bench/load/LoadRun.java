package org.roundtable.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.roundtable.bridge.dtls.DtlsCertificate;

/**
 * One load run against a server: set up publishers and subscribers through WHIP, WHEP and the
 * WebSocket protocol, send paced media, warm up, then measure a window. Scenarios: fanout (P
 * publishers to S subscribers), meeting (P members all sending and receiving), audio (P speakers to S
 * listeners), churn (S subscribers joining and leaving at a rate while P publishers send).
 * Thread: run() on the caller; receiving and pacing on one "load-loop"; set-up on a pool.
 */
public final class LoadRun {
    /**
     * meetings: fanout only, that many meetings side by side, each with its own P publishers and S subscribers.
     * setupWarmup: before the measured set-up, this many WHEP subscribers connect to a meeting of their own and
     * leave, so setup_s is a warm server's (and generator's), not the JIT's first compile of the handshake.
     */
    public record Options(String scenario, int publishers, int subscribers, int seconds, int warmup, String serverUrl,
                          long serverPid, double churnPerSecond, int latencyEvery, int meetings, int setupWarmup) {
        public Options(String scenario, int publishers, int subscribers, int seconds, int warmup, String serverUrl,
                       long serverPid, double churnPerSecond, int latencyEvery) {
            this(scenario, publishers, subscribers, seconds, warmup, serverUrl, serverPid, churnPerSecond, latencyEvery, 1, 0);
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    private final Options o;
    private final Signalling sig;
    private final DtlsCertificate cert = DtlsCertificate.generate();
    private final EventLoopGroup loop = new EpollEventLoopGroup(1, (ThreadFactory) r -> new Thread(r, "load-loop"));
    private final ExecutorService handshakes = Executors.newFixedThreadPool(16, daemon("load-dtls"));
    private final ExecutorService setup = Executors.newFixedThreadPool(16, daemon("load-setup"));
    private final LatencyRecorder latency = new LatencyRecorder();
    private final String meeting = "bench-" + Long.toString(System.nanoTime(), 36);
    private final List<Publisher> publishers = Collections.synchronizedList(new ArrayList<>());
    private final List<LoadEndpoint> receivers = Collections.synchronizedList(new ArrayList<>());
    private final List<Runnable> cleanup = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger ssrcs = new AtomicInteger(0x10000);
    private volatile boolean pacing = true;

    public LoadRun(Options o) {
        this.o = o;
        this.sig = new Signalling(o.serverUrl());
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> { Thread t = new Thread(r, name + "-" + n.incrementAndGet()); t.setDaemon(true); return t; };
    }

    private LoadEndpoint endpoint() { return new LoadEndpoint(cert, loop, handshakes, latency, o.latencyEvery()); }

    /** A WHIP publisher; returns its participant id. */
    private String whipPublisher(int i, boolean video) throws Exception { return whipPublisher(meeting, i, video); }

    private String whipPublisher(String meeting, int i, boolean video) throws Exception {
        LoadEndpoint e = endpoint();
        int a = ssrcs.incrementAndGet(), v = video ? ssrcs.incrementAndGet() : 0;
        Signalling.Session s = sig.whip(meeting, "pub" + i, e.offer(a, v, 0, 0));
        e.connect(s.answer(), 15_000);
        publishers.add(new Publisher(e, a, v));
        cleanup.add(() -> { e.close(); sig.delete(s.location()); });
        return s.location().split("/")[3];     // /whip/<meeting>/<participantId>/<secret>
    }

    private LoadEndpoint whepSubscriber(String participant) throws Exception { return whepSubscriber(meeting, participant); }

    private LoadEndpoint whepSubscriber(String meeting, String participant) throws Exception {
        LoadEndpoint e = endpoint();
        Signalling.Session s = sig.whep(meeting, participant, e.offer(0, 0, 1, 1));
        e.connect(s.answer(), 15_000);
        e.sendReceiverReports(1000);
        receivers.add(e);
        cleanup.add(() -> { e.close(); sig.delete(s.location()); });
        return e;
    }

    /** A member over the WebSocket protocol: publishes if asked, receives everything, renegotiates as tracks come. */
    private final class Member {
        final LoadEndpoint e = endpoint();
        final Signalling.Ws ws;
        final int a, v;
        volatile int wantA, wantV, offeredA = -1, offeredV = -1;
        volatile boolean connected, closed;

        Member(String name, boolean audio, boolean video) throws Exception {
            a = audio ? ssrcs.incrementAndGet() : 0;
            v = video ? ssrcs.incrementAndGet() : 0;
            ws = sig.ws();
            ws.onEvent = ev -> {
                if ("renegotiate".equals(ev.path("type").asText())) {
                    wantA = ev.path("audio").asInt();
                    wantV = ev.path("video").asInt();
                    setup.execute(this::negotiate);
                }
            };
            ObjectNode join = Signalling.Ws.msg("join");
            join.put("meeting", meeting);
            join.put("name", name);
            JsonNode j = ws.request(join);
            wantA = j.path("tracks").path("audio").asInt();
            wantV = j.path("tracks").path("video").asInt();
            negotiate();
            if (a != 0 || v != 0) publishers.add(new Publisher(e, a, v));
            if (wantA + wantV > 0 || true) receivers.add(e);
        }

        synchronized void negotiate() {
            if (closed) return;
            int ra = Math.max(wantA, Math.max(offeredA, 0)), rv = Math.max(wantV, Math.max(offeredV, 0));
            if (connected && ra == offeredA && rv == offeredV) return;
            if (a == 0 && v == 0 && ra + rv == 0) return;
            try {
                ObjectNode off = Signalling.Ws.msg("offer");
                off.put("sdp", e.offer(a, v, ra, rv));
                String answer = ws.request(off).get("sdp").asText();
                offeredA = ra;
                offeredV = rv;
                if (!connected) { e.connect(answer, 15_000); connected = true; }
            } catch (Exception ex) {
                if (!closed) System.err.println("negotiation failed: " + ex);
            }
        }

        void leave() {
            closed = true;
            try { ws.request(Signalling.Ws.msg("leave")); } catch (Exception ignored) { /* closing */ }
            ws.close();
            e.close();
            receivers.remove(e);
        }
    }

    private void parallel(int n, IntTask t) throws Exception {
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            fs.add(setup.submit(() -> { t.run(k); return null; }));
        }
        for (Future<?> f : fs) f.get(120, TimeUnit.SECONDS);
    }

    interface IntTask { void run(int i) throws Exception; }

    private String meetingId(int m) { return m == 0 ? meeting : meeting + "-" + m; }

    /** See {@link Options#setupWarmup()}: n subscribers (and a publisher) connect, then everything leaves. */
    private void warmUpSetup(int n) throws Exception {
        if (n <= 0) return;
        String wm = meeting + "-warmup";
        LoadEndpoint pe = endpoint();
        Signalling.Session ps = sig.whip(wm, "warm-pub", pe.offer(ssrcs.incrementAndGet(), ssrcs.incrementAndGet(), 0, 0));
        pe.connect(ps.answer(), 15_000);
        String pid = ps.location().split("/")[3];
        List<Runnable> undo = Collections.synchronizedList(new ArrayList<>());
        parallel(n, i -> {
            LoadEndpoint e = endpoint();
            Signalling.Session s = sig.whep(wm, pid, e.offer(0, 0, 1, 1));
            e.connect(s.answer(), 15_000);
            undo.add(() -> { e.close(); sig.delete(s.location()); });
        });
        for (Runnable r : undo) r.run();
        pe.close();
        sig.delete(ps.location());
    }

    public ObjectNode run() throws Exception {
        warmUpSetup(o.setupWarmup());
        long t0 = System.nanoTime();
        int p = o.publishers(), s = o.subscribers();
        List<Member> members = Collections.synchronizedList(new ArrayList<>());
        switch (o.scenario()) {
            case "fanout" -> {
                int n = Math.max(1, o.meetings());
                List<List<String>> ids = new ArrayList<>();
                for (int m = 0; m < n; m++) {
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < p; i++) mine.add(whipPublisher(meetingId(m), i, true));
                    ids.add(mine);
                }
                parallel(s * n, i -> whepSubscriber(meetingId(i % n), ids.get(i % n).get((i / n) % p)));
            }
            case "meeting" -> {
                for (int i = 0; i < p; i++) members.add(new Member("m" + i, true, true));
            }
            case "audio" -> {
                for (int i = 0; i < p; i++) whipPublisher(i, false);
                parallel(s, i -> members.add(new Member("l" + i, false, false)));
            }
            case "churn" -> {
                for (int i = 0; i < p; i++) whipPublisher(i, true);
                parallel(s, i -> members.add(new Member("c" + i, false, false)));
            }
            default -> throw new IllegalArgumentException("unknown scenario " + o.scenario() + " (fanout, meeting, audio, churn)");
        }
        double setupS = (System.nanoTime() - t0) / 1e9;
        // The pacer runs on the load loop itself: writes go straight to the sockets, with no hop through
        // the loop's task queue (which would count as latency).
        java.util.concurrent.ScheduledFuture<?> pacer = loop.scheduleAtFixedRate(() -> {
            if (!pacing) return;
            long now = System.nanoTime();
            for (Publisher pub : publishers.toArray(new Publisher[0])) pub.tick(now);
        }, 0, 1, TimeUnit.MILLISECONDS);
        Thread.sleep(o.warmup() * 1000L);

        // measurement window
        double cpu0 = ServerProcess.cpuSeconds(o.serverPid());
        java.util.Map<String, Double> loops0 = ServerProcess.threadCpuSeconds(o.serverPid(), "media-loop-");
        double out0 = forwarded(), hand0 = metric("roundtable_media_loop_handoffs_total");
        LoadEndpoint[] window = receivers.toArray(new LoadEndpoint[0]);
        loop.submit(() -> { for (LoadEndpoint e : window) e.markWindowStart(); latency.start(); }).get();
        Thread.sleep(200); // markWindowStart runs as loop tasks
        long w0 = System.nanoTime();
        int churned = 0;
        if (o.scenario().equals("churn") && o.churnPerSecond() > 0) {
            long periodNs = (long) (1e9 / o.churnPerSecond());
            long next = w0 + periodNs;
            while (System.nanoTime() - w0 < o.seconds() * 1_000_000_000L) {
                if (System.nanoTime() >= next && !members.isEmpty()) {
                    Member gone = members.remove(0);
                    gone.leave();
                    members.add(new Member("c" + (s + churned), false, false));
                    churned++;
                    next += periodNs;
                }
                Thread.sleep(5);
            }
        } else {
            Thread.sleep(o.seconds() * 1000L);
        }
        double windowS = (System.nanoTime() - w0) / 1e9;
        double cpu1 = ServerProcess.cpuSeconds(o.serverPid());
        java.util.Map<String, Double> loops1 = ServerProcess.threadCpuSeconds(o.serverPid(), "media-loop-");
        double out1 = forwarded(), hand1 = metric("roundtable_media_loop_handoffs_total");
        double rss = ServerProcess.rssMb(o.serverPid());
        double pss = ServerProcess.pssMb(o.serverPid());
        double live = ServerProcess.liveHeapMb(o.serverPid());
        pacing = false;
        pacer.cancel(false);
        Thread.sleep(500); // let in-flight packets land
        long[] counts = loop.submit(() -> {
            latency.stop();
            long[] c = new long[2];
            for (LoadEndpoint e : window) {
                if (!receivers.contains(e)) continue; // left during churn
                long[] x = e.windowCounts();
                c[0] += x[0];
                c[1] += x[1];
            }
            return c;
        }).get();
        long expected = counts[0], received = counts[1];
        ObjectNode r = JSON.createObjectNode();
        r.put("scenario", o.scenario());
        r.put("publishers", p);
        r.put("subscribers", o.scenario().equals("meeting") ? p : o.scenario().equals("fanout") ? s * Math.max(1, o.meetings()) : s);
        if (o.scenario().equals("fanout")) r.put("meetings", Math.max(1, o.meetings()));
        r.put("duration_s", round(windowS, 2));
        r.put("server_cpu_s", round(cpu1 - cpu0, 3));
        r.put("pkts_forwarded", (long) (out1 - out0));
        r.put("pkts_per_cpu_s", cpu1 - cpu0 > 0 ? Math.round((out1 - out0) / (cpu1 - cpu0)) : -1);
        r.put("loss_pct", expected > 0 ? round(100.0 * Math.max(0, expected - received) / expected, 4) : -1);
        r.put("latency_us_p50", round(latency.percentileUs(50), 1));
        r.put("latency_us_p99", round(latency.percentileUs(99), 1));
        r.put("latency_us_p999", round(latency.percentileUs(99.9), 1));
        // each media loop thread's CPU in the window (how the work split over the loops)
        com.fasterxml.jackson.databind.node.ArrayNode perLoop = r.putArray("media_loop_cpu_s");
        for (java.util.Map.Entry<String, Double> e : new java.util.TreeMap<>(loops1).entrySet())
            perLoop.add(round(e.getValue() - loops0.getOrDefault(e.getKey(), 0.0), 3));
        r.put("media_loop_handoffs", (long) (hand1 - hand0));
        r.put("server_rss_mb", round(rss, 1));
        r.put("server_pss_mb", round(pss, 1));
        r.put("server_live_heap_mb", round(live, 1));
        r.put("setup_s", round(setupS, 2));
        if (o.setupWarmup() > 0) r.put("setup_warmup", o.setupWarmup());
        r.put("pkts_expected", expected);
        r.put("pkts_received", received);
        r.put("latency_samples", latency.count());
        r.put("endpoints", publishers.size() + window.length);
        if (o.scenario().equals("churn")) r.put("churned", churned);
        for (Member m : members) { m.closed = true; m.ws.close(); m.e.close(); }
        return r;
    }

    private double forwarded() throws Exception {
        double t = 0;
        for (String line : sig.metrics().split("\n")) {
            if (line.startsWith("roundtable_packets_total{direction=\"out\",type=\"audio\"}")
                    || line.startsWith("roundtable_packets_total{direction=\"out\",type=\"video\"}"))
                t += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return t;
    }

    /** A metric without labels from the server's /metrics (0 when absent). */
    private double metric(String name) throws Exception {
        for (String line : sig.metrics().split("\n"))
            if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        return 0;
    }

    static double round(double v, int d) { double f = Math.pow(10, d); return Math.round(v * f) / f; }

    public void close() {
        pacing = false;
        for (Runnable r : cleanup.toArray(new Runnable[0])) { try { r.run(); } catch (RuntimeException ignored) { /* best effort */ } }
        setup.shutdownNow();
        handshakes.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
