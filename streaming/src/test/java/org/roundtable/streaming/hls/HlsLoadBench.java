package org.roundtable.streaming.hls;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * LL-HLS load: N simulated viewers ({@link BenchViewers}) against {@link HlsBenchServer} in a child JVM (pinned with taskset to
 * the given CPUs), each doing what hls.js does at the live edge: a blocking reload for the next part and,
 * at the same time, a GET of the preload-hinted part; when both are answered, the same for the part after.
 * Reports JSON: requests per server CPU-second (the child's utime + stime from /proc over the measured
 * window, its JIT and GC included) and the playlist (and part) response time after the part was ready:
 * receive time minus max(publication, request sent), with publication times printed by the server on the
 * machine's monotonic clock.
 *
 * <p>Run (from the repository root, in a network namespace; the client pinned to another core):
 * <pre>
 * mvn -B -o -q -pl streaming test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * taskset -c 1 java -cp streaming/target/test-classes:streaming/target/classes:$(cat streaming/target/cp.txt) \
 *     org.roundtable.streaming.hls.HlsLoadBench --viewers 1000 --seconds 30 --warmup 15 --server-cpus 0
 * </pre>
 * The server JVM runs with ZGC like the real server; {@code -Dbench.serverJvm="..."} adds options to it.
 * "server" in the JSON is the server's own view (publication to response written); "client..." adds the
 * load client's queueing.
 */
public final class HlsLoadBench {
    private final Map<Long, Long> published = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<long[]> playlistTimes = new ConcurrentLinkedQueue<>(), partTimes = new ConcurrentLinkedQueue<>();
    final AtomicLong requests = new AtomicLong(), errors = new AtomicLong(), skipped = new AtomicLong(), bytes = new AtomicLong();
    volatile boolean measuring, running = true;

    private HlsLoadBench() {}

    public static void main(String[] args) throws Exception {
        int viewers = 1000, seconds = 30, warmup = 10;
        String cpus = "0";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--viewers" -> viewers = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--server-cpus" -> cpus = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        new HlsLoadBench().run(viewers, seconds, warmup, cpus);
    }

    private void run(int viewers, int seconds, int warmup, String cpus) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (!cpus.isEmpty()) cmd.addAll(List.of("taskset", "-c", cpus));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-XX:+UseZGC"));
        String extra = System.getProperty("bench.serverJvm", "");
        if (!extra.isBlank()) cmd.addAll(List.of(extra.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HlsBenchServer.class.getName()));
        Process server = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream()));
        String first = out.readLine();
        while (first != null && !first.startsWith("PORT ")) first = out.readLine();     // JVM notes (e.g. JFR's) come first
        if (first == null) throw new IllegalStateException("the server ended before it was ready");
        int port = Integer.parseInt(first.substring(5));
        String[] stats = new String[1];
        CountDownLatch statsSeen = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("PUB ")) {
                        String[] f = line.split(" ");
                        published.put(Long.parseLong(f[1]) * 1000 + Long.parseLong(f[2]), Long.parseLong(f[3]));
                    } else if (line.startsWith("STATS ")) {
                        stats[0] = line.substring(6);
                        statsSeen.countDown();
                    }
                }
            } catch (java.io.IOException ignored) {
                // the server went away
            }
        }, "server-output");
        reader.setDaemon(true);
        reader.start();

        Thread clients = new Thread(new BenchViewers(this, new java.net.InetSocketAddress("127.0.0.1", port), "/live/bench/", viewers), "viewers");
        clients.setDaemon(true);
        clients.start();
        TimeUnit.SECONDS.sleep(warmup);
        long sys0 = cpuTicks(server.pid(), 15), cpu0 = cpuTicks(server.pid()), self0 = cpuTicks(ProcessHandle.current().pid()), req0 = requests.get(), bytes0 = bytes.get();
        long t0 = System.nanoTime();
        OutputStream in = server.getOutputStream();
        in.write("MEASURE\n".getBytes());
        in.flush();
        measuring = true;
        TimeUnit.SECONDS.sleep(seconds);
        measuring = false;
        in.write("STOP\n".getBytes());
        in.flush();
        long wall = System.nanoTime() - t0;
        long sys1 = cpuTicks(server.pid(), 15), cpu1 = cpuTicks(server.pid()), self1 = cpuTicks(ProcessHandle.current().pid()), req1 = requests.get(), bytes1 = bytes.get();
        running = false;
        in.close();
        statsSeen.await(10, TimeUnit.SECONDS);
        server.waitFor(10, TimeUnit.SECONDS);
        server.destroyForcibly();

        double serverCpu = (cpu1 - cpu0) / 100.0, clientCpu = (self1 - self0) / 100.0, secs = wall / 1e9;
        long reqs = req1 - req0;
        StringBuilder j = new StringBuilder("{");
        j.append("\"viewers\":").append(viewers).append(",\"seconds\":").append(String.format("%.1f", secs));
        j.append(",\"serverCpus\":\"").append(cpus).append('"');
        j.append(",\"requests\":").append(reqs).append(",\"requestsPerSecond\":").append(Math.round(reqs / secs));
        j.append(",\"serverCpuSeconds\":").append(String.format("%.2f", serverCpu));
        j.append(",\"serverSystemCpuSeconds\":").append(String.format("%.2f", (sys1 - sys0) / 100.0));
        j.append(",\"serverCpuShare\":").append(String.format("%.3f", serverCpu / secs));
        j.append(",\"requestsPerServerCpuSecond\":").append(serverCpu > 0 ? Math.round(reqs / serverCpu) : -1);
        j.append(",\"mbitPerSecond\":").append(String.format("%.1f", (bytes1 - bytes0) * 8 / secs / 1e6));
        j.append(",\"server\":").append(stats[0]);
        j.append(",\"clientPlaylistAfterReadyMs\":").append(percentiles(playlistTimes));
        j.append(",\"clientPartAfterReadyMs\":").append(percentiles(partTimes));
        j.append(",\"errors\":").append(errors.get()).append(",\"catchUpPartFetches\":").append(skipped.get());
        j.append(",\"clientCpuSeconds\":").append(String.format("%.2f", clientCpu));
        j.append('}');
        System.out.println(j);
    }

    /** A failed or non-200 request (counted only while measuring: stopping fails the requests in flight). */
    void error() { if (measuring) errors.incrementAndGet(); }

    /** A response for part (msn, index), sent and received at these nanoTimes (kept only while measuring). */
    void answered(boolean playlist, long msn, int index, long sent, long received) {
        if (measuring) (playlist ? playlistTimes : partTimes).add(new long[] {msn * 1000 + index, sent, received});
    }

    private String percentiles(ConcurrentLinkedQueue<long[]> queue) {
        List<long[]> times = new ArrayList<>(queue);              // requests in flight may still add to it
        long[] ms = new long[times.size()];
        int n = 0, unknown = 0;
        for (long[] t : times) {
            Long pub = published.get(t[0]);
            if (pub == null) { unknown++; continue; }
            ms[n++] = t[2] - Math.max(pub, t[1]);
        }
        ms = Arrays.copyOf(ms, n);
        Arrays.sort(ms);
        if (n == 0) return "{\"count\":0}";
        return String.format("{\"count\":%d,\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f,\"unmatched\":%d}", n,
                ms[n / 2] / 1e6, ms[(int) (n * 0.9)] / 1e6, ms[Math.min(n - 1, (int) (n * 0.99))] / 1e6, ms[n - 1] / 1e6, unknown);
    }

    /** utime + stime of a process, in clock ticks (1/100 s). */
    private static long cpuTicks(long pid) throws java.io.IOException { return cpuTicks(pid, 14) + cpuTicks(pid, 15); }

    /** Field n (1-based, as in proc(5): 14 utime, 15 stime) of /proc/pid/stat. */
    private static long cpuTicks(long pid, int field) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[field - 3]);
    }
}
