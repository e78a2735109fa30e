package org.roundtable.streaming.hls;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.TestProgram;

/**
 * The server side of {@link HlsLoadBench}, run in its own JVM (so that its CPU time can be read alone):
 * Jetty on 127.0.0.1 with one {@link HlsStream} under /live/bench/, fed a looped TestProgram in real time
 * by a "composition" thread. Prints {@code PORT p} when ready and {@code PUB msn part nanoTime} each time a
 * part is published (System.nanoTime is the machine's monotonic clock, shared with the client process);
 * when its stdin closes it prints {@code STATS ...} and exits.
 */
public final class HlsBenchServer {
    private HlsBenchServer() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        TestProgram p = TestProgram.make(20);
        // Jetty's default pool unless -Dbench.threads=N (with the batched answers the default does as well as 8).
        Integer threads = Integer.getInteger("bench.threads");
        Server server = threads == null ? new Server() : new Server(new QueuedThreadPool(threads, Math.min(threads, 4)));
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        c.setAcceptQueueSize(4096);
        c.setIdleTimeout(60_000);
        server.addConnector(c);
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        timer.setRemoveOnCancelPolicy(true);
        HlsMetrics metrics = new HlsMetrics();
        HlsRuntime rt = new HlsRuntime(java.time.Clock.systemUTC(), server.getThreadPool(), HlsTimer.of(timer), metrics);
        HlsStream stream = new HlsStream(HlsConfig.defaults(), rt);
        BenchTiming timing = new BenchTiming(new HlsHandler("/live", t -> t.equals("bench") ? HlsLookup.found(stream) : HlsLookup.unknown(), metrics));
        server.setHandler(timing);
        server.start();
        Thread composition = new Thread(() -> feed(p, stream, out, timing), "composition");
        composition.setDaemon(true);
        composition.start();
        synchronized (out) {
            out.println("PORT " + c.getLocalPort());
            out.flush();
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {         // until the client closes our stdin
            if (line.equals("MEASURE")) timing.measuring = true;
            if (line.equals("STOP")) timing.measuring = false;
        }
        synchronized (out) {
            out.printf("STATS {%s,\"viewers\":%d,\"waiting\":%d,\"timeouts\":%d,\"refused\":%d,\"parts\":%d}%n", timing.report(),
                    stream.stats().viewers(), metrics.waiting(), metrics.timeouts(), metrics.refused(), metrics.parts());
            out.flush();
        }
        server.stop();
        System.exit(0);
    }

    /** Plays the program in a loop in real time (times shifted by the program length each round). */
    private static void feed(TestProgram p, HlsStream s, PrintStream out, BenchTiming timing) {
        s.open(p.tracks);
        long t0 = System.nanoTime();
        long round = p.durationMicros + 1_000_000 / p.tracks.fps();
        long seen = 0;
        List<LiveFrame> frames = p.frames;
        try {
            for (long k = 0; ; k++) {
                long off = k * round;
                for (LiveFrame f : frames) {
                    long at = f.ptsMicros() + off;
                    long wait = t0 + at * 1000 - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                    long before = System.nanoTime();      // conservative: packaging counts as latency
                    s.frame(new LiveFrame(f.video(), f.data(), at, f.dtsMicros() + off, f.key()));
                    HlsSnapshot snap = s.snapshot();
                    long parts = snap.nextMsn * 1000 + snap.open.size();
                    if (parts != seen) {
                        long now = before;
                        seen = parts;
                        HlsSnapshot.Part last = snap.open.isEmpty() ? lastOf(snap) : snap.open.get(snap.open.size() - 1);
                        timing.published.put(last.msn() * 1000 + last.index(), now);
                        synchronized (out) {
                            out.println("PUB " + last.msn() + " " + last.index() + " " + now);
                            out.flush();
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            s.close();
        }
    }

    private static HlsSnapshot.Part lastOf(HlsSnapshot snap) {
        List<HlsSnapshot.Part> parts = snap.segments.get(snap.segments.size() - 1).parts();
        return parts.get(parts.size() - 1);
    }
}
