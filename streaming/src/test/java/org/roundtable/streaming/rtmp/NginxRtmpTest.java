package org.roundtable.streaming.rtmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.streaming.rtmp.Synthetic.waitFor;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.TestProgram;

/** Pushes to a real nginx-rtmp; ffprobe and ffmpeg read what viewers would get. */
class NginxRtmpTest {
    @Test void viewersGetTheProgramAndItComesBackAfterADrop() throws Exception {
        try (Nginx nginx = new Nginx()) {
            TestProgram program = TestProgram.make(20);
            String key = "rt-test-" + ThreadLocalRandom.current().nextInt(1_000_000);
            AtomicInteger keyRequests = new AtomicInteger();
            RtmpMetrics metrics = new RtmpMetrics();
            RtmpPush push = new RtmpPush(RtmpUrl.parse(nginx.url(key)), RtmpOptions.DEFAULTS, keyRequests::incrementAndGet, metrics);
            Thread player = new Thread(() -> {
                try {
                    program.play(push, true);
                } catch (InterruptedException e) {
                    push.close();
                }
            }, "test-player");
            player.start();
            try {
                assertTrue(waitFor(Duration.ofSeconds(10), () -> push.state() == RtmpPush.State.LIVE), push.stats().toString());
                long cpu0 = cpuNanos(push), t0 = System.nanoTime(), bytes0 = push.stats().bytesSent();

                // (a) what a viewer sees
                assertProbe(nginx.url(key));
                String[] dec = Nginx.run(30, "ffmpeg", "-nostdin", "-v", "error", "-rw_timeout", "5000000", "-i", nginx.url(key),
                        "-frames:v", "90", "-f", "framecrc", "-");
                Map<String, Integer> frames = countFrames(dec[1]);
                assertEquals("0", dec[0], dec[2]);
                assertEquals("", dec[2].strip(), "ffmpeg decodes with no errors");
                assertEquals(90, frames.getOrDefault("video", 0), "3 s at 30 fps decoded: " + frames);
                assertTrue(frames.getOrDefault("audio", 0) >= 100, "AAC decoded alongside: " + frames);
                String stat = nginx.get("/stat");
                assertTrue(stat.contains("<name>" + key + "</name>") && stat.contains("<publishing/>"), stat);
                assertTrue(stat.contains("<width>640</width>") && stat.contains("<height>360</height>"), stat);
                double secs = (System.nanoTime() - t0) / 1e9;
                double cpuMsPerSecond = (cpuNanos(push) - cpu0) / 1e6 / secs;
                System.out.printf("CPU of one push (TestProgram, %.0f kbit/s): %.2f ms per second of stream (%.2f %% of a core) over %.1f s%n",
                        (push.stats().bytesSent() - bytes0) * 8 / 1000.0 / secs, cpuMsPerSecond, cpuMsPerSecond / 10, secs);

                // (b) the server drops the publisher: the push reconnects
                int reconnects = push.stats().reconnects();
                long dropped = System.nanoTime();
                assertEquals("1", nginx.get("/control/drop/publisher?app=live&name=" + key).strip(), "nginx dropped one publisher");
                assertTrue(waitFor(Duration.ofSeconds(10), () -> push.stats().reconnects() > reconnects && push.state() == RtmpPush.State.LIVE),
                        "live again within 10 s: " + push.stats());
                long backMs = (System.nanoTime() - dropped) / 1_000_000;
                System.out.printf("reconnect after nginx dropped the publisher: live again %d ms after the drop request (%s; key frame requests: %d)%n",
                        backMs, push.stats().lastError(), keyRequests.get());
                assertProbe(nginx.url(key));

                Map<String, Double> m = scrape(metrics);
                assertEquals(1.0, m.get("roundtable_rtmp_targets{state=live}"));
                assertTrue(m.get("roundtable_rtmp_reconnects") >= 1, m.toString());
                assertTrue(m.get("roundtable_rtmp_sent_bytes") > 100_000, m.toString());
            } finally {
                player.join(30_000);
                push.close();
            }
            assertTrue(push.awaitStopped(Duration.ofSeconds(2)));
            assertEquals(RtmpPush.State.STOPPED, push.state());
            System.out.println("after the program: " + push.stats());
        }
    }

    @Test void cpuOfOnePushAt2500kbps() throws Exception {
        try (Nginx nginx = new Nginx()) {
            RtmpPush push = new RtmpPush(RtmpUrl.parse(nginx.url("rt-cpu-2500")));
            push.open(Synthetic.tracks());
            byte[] key = Synthetic.video(0, 40_000).data(), inter = Synthetic.video(1, 9_000).data();   // about 2.5 Mbit/s at 30 fps
            byte[] aac = new byte[250];                                                                   // 96 kbit/s at 48 kHz
            long start = System.nanoTime(), cpu0 = 0, user0 = 0, bytes0 = 0, t0 = 0;
            int v = 0, a = 0;
            while (v < 30 * 12) {
                long vt = v * 1_000_000L / 30, at = a * 1024L * 1_000_000L / 48000;
                long next = Math.min(vt, at);
                long wait = start + next * 1000 - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                if (vt <= at) {
                    push.frame(LiveFrame.video(v % 60 == 0 ? key : inter, vt, v % 60 == 0));
                    v++;
                } else {
                    push.frame(LiveFrame.audio(aac, at));
                    a++;
                }
                if (v == 60 && t0 == 0) {                                           // measure after 2 s of warm-up
                    t0 = System.nanoTime();
                    cpu0 = cpuNanos(push);
                    user0 = cpuNanos(push, true);
                    bytes0 = push.stats().bytesSent();
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpuMs = (cpuNanos(push) - cpu0) / 1e6 / secs, userMs = (cpuNanos(push, true) - user0) / 1e6 / secs;
            double kbps = (push.stats().bytesSent() - bytes0) * 8 / 1000.0 / secs;
            System.out.printf("CPU of one push at %.0f kbit/s: %.2f ms per second of stream (%.2f %% of a core; user %.2f ms, the rest kernel) over %.1f s; %s%n",
                    kbps, cpuMs, cpuMs / 10, userMs, secs, push.stats());
            assertEquals(RtmpPush.State.LIVE, push.state());
            assertTrue(kbps > 2000, "about 2.5 Mbit/s sent: " + kbps);
            assertEquals(0, push.stats().framesDropped());
            push.close();
            assertTrue(push.awaitStopped(Duration.ofSeconds(2)));
        }
    }

    @Test void nginxRefusesASecondPublisherAndAnUnknownApplication() throws Exception {
        try (Nginx nginx = new Nginx()) {
            RtmpOptions fast = RtmpOptions.DEFAULTS.withBackoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(30), 3);
            RtmpPush first = new RtmpPush(RtmpUrl.parse(nginx.url("taken-name")), fast, null, null);
            RtmpPush second = new RtmpPush(RtmpUrl.parse(nginx.url("taken-name")), fast, null, null);
            RtmpPush wrongApp = new RtmpPush(RtmpUrl.parse("rtmp://127.0.0.1:" + nginx.rtmpPort + "/nosuchapp/some-key"), fast, null, null);
            try {
                first.open(Synthetic.tracks());
                assertTrue(waitFor(Duration.ofSeconds(5), () -> first.state() == RtmpPush.State.LIVE), first.stats().toString());
                second.open(Synthetic.tracks());
                wrongApp.open(Synthetic.tracks());
                assertTrue(waitFor(Duration.ofSeconds(10), () -> second.state() == RtmpPush.State.FAILED), second.stats().toString());
                assertEquals("publish refused: NetStream.Publish.BadName (Already publishing)", second.stats().lastError());
                assertEquals(RtmpPush.State.LIVE, first.state(), "the first publisher is not disturbed");
                assertTrue(waitFor(Duration.ofSeconds(10), () -> wrongApp.stats().reconnects() >= 2), wrongApp.stats().toString());
                assertEquals("connect: the server closed the connection without an answer (wrong application or stream key?)",
                        wrongApp.stats().lastError());
            } finally {
                for (RtmpPush p : new RtmpPush[] {first, second, wrongApp}) p.close();
                for (RtmpPush p : new RtmpPush[] {first, second, wrongApp}) assertTrue(p.awaitStopped(Duration.ofSeconds(2)));
            }
        }
    }

    private static void assertProbe(String url) throws Exception {
        String[] p = Nginx.run(30, "ffprobe", "-v", "error", "-rw_timeout", "5000000",
                "-show_entries", "stream=codec_name,codec_type,width,height,sample_rate,channels", "-of", "compact", url);
        assertEquals("0", p[0], p[2]);
        assertTrue(p[1].contains("codec_name=h264|codec_type=video|width=640|height=360"), p[1]);
        assertTrue(p[1].contains("codec_name=aac|codec_type=audio|sample_rate=48000|channels=1"), p[1]);
    }

    /** framecrc output: packets per media type ("#media_type 0: video" names the stream indexes). */
    private static Map<String, Integer> countFrames(String framecrc) {
        Map<String, String> types = new HashMap<>();
        Map<String, Integer> n = new HashMap<>();
        for (String line : framecrc.split("\n")) {
            if (line.startsWith("#media_type ")) types.put(line.substring(12, line.indexOf(':')), line.substring(line.indexOf(':') + 1).strip());
            else if (!line.startsWith("#") && line.contains(",")) n.merge(types.getOrDefault(line.substring(0, line.indexOf(',')).strip(), "?"), 1, Integer::sum);
        }
        return n;
    }

    /** CPU time of the push's threads (its own and its connection's reading thread); user time only when user is set. */
    static long cpuNanos(RtmpPush push) { return cpuNanos(push, false); }

    static long cpuNanos(RtmpPush push, boolean user) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (n.equals(push.name()) || n.startsWith(push.name() + "-in-")) sum += Math.max(0, user ? mx.getThreadUserTime(t.getId()) : mx.getThreadCpuTime(t.getId()));
        }
        return sum;
    }

    private static Map<String, Double> scrape(RtmpMetrics metrics) {
        PrometheusRegistry reg = new PrometheusRegistry();
        metrics.register(reg);
        Map<String, Double> m = new HashMap<>();
        for (MetricSnapshot s : reg.scrape()) {
            for (var d : s.getDataPoints()) {
                String labels = d.getLabels().isEmpty() ? "" : "{" + d.getLabels().getName(0) + "=" + d.getLabels().getValue(0) + "}";
                double v = d instanceof io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot g ? g.getValue()
                        : ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) d).getValue();
                m.put(s.getMetadata().getName() + labels, v);
            }
        }
        return m;
    }
}
