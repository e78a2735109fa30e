package org.roundtable.bench.load;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The server under test as its own process (so its CPU is its own), optionally pinned to CPUs with
 * taskset, with the JVM options of ops/run.sh. CPU comes from /proc/[pid]/stat (utime + stime), memory
 * from /proc/[pid]/status (RSS) and smaps_rollup (PSS).
 */
public final class ServerProcess implements AutoCloseable {
    private static final double CLK_TCK = 100.0; // Linux USER_HZ
    private final Process process;
    public final long pid;
    public final String url;

    private ServerProcess(Process p, String url) {
        this.process = p;
        this.pid = p.pid();
        this.url = url;
    }

    public static ServerProcess start(Path jar, int httpPort, int mediaPort, String cpus, Path log) throws Exception {
        return start(jar, httpPort, mediaPort, cpus, 0, log);
    }

    /** mediaLoops: the server's media loops (roundtable.bridge.tuning.media-loops; 0: its default, one per core). */
    public static ServerProcess start(Path jar, int httpPort, int mediaPort, String cpus, int mediaLoops, Path log) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (cpus != null && !cpus.isEmpty()) { cmd.add("taskset"); cmd.add("-c"); cmd.add(cpus); }
        cmd.add(System.getProperty("java.home") + "/bin/java");
        String extra = System.getenv("RT_SERVER_JVM_OPTS");
        if (extra != null && !extra.isBlank()) cmd.addAll(List.of(extra.trim().split("\\s+")));
        cmd.addAll(jvmOptions());
        if (mediaLoops > 0) cmd.add("-Droundtable.bridge.tuning.media-loops=" + mediaLoops);
        cmd.addAll(List.of(
                "-Droundtable.bridge.bind-address=127.0.0.1", "-Droundtable.bridge.tcp-port=0",
                "-Droundtable.db.url=jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1", "-Droundtable.meetings.max-participants=2000", "-Droundtable.sip.enabled=false",
                "-jar", jar.toString(), "--http-port", Integer.toString(httpPort), "--media-port", Integer.toString(mediaPort)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String url = "http://127.0.0.1:" + httpPort;
        HttpClient c = HttpClient.newHttpClient();
        long end = System.currentTimeMillis() + 60_000;
        while (true) {
            if (!p.isAlive()) throw new IOException("server exited: see " + log);
            try {
                if (c.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) break;
            } catch (IOException e) {
                if (System.currentTimeMillis() > end) throw new IOException("server did not start: see " + log);
                Thread.sleep(200);
            }
        }
        return new ServerProcess(p, url);
    }

    /** CPU seconds (user + system) the process has used, or of any pid. */
    public static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
    }

    /**
     * CPU seconds of each thread of pid whose name starts with prefix (from /proc/[pid]/task/[tid]/stat),
     * by name; empty if unreadable (another host's process).
     */
    public static java.util.Map<String, Double> threadCpuSeconds(long pid, String prefix) {
        java.util.Map<String, Double> out = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (!name.startsWith(prefix)) continue;
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK);
                } catch (IOException | RuntimeException gone) { /* the thread ended */ }
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    /**
     * Proportional set size in MB (/proc/[pid]/smaps_rollup): shared pages divided among the processes that
     * map them, and a heap mapped several times (ZGC) counted once. -1 if unreadable.
     */
    public static double pssMb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup")))
                if (l.startsWith("Pss:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * The server's JVM options: those of ops/run.sh (ops/jvm.options, one per line, # comments), so the
     * benchmark measures the memory and collector a deployment gets.
     */
    static List<String> jvmOptions() throws IOException {
        for (String c : new String[] {"ops/jvm.options", "../ops/jvm.options"}) {
            Path f = Path.of(c);
            if (!Files.isRegularFile(f)) continue;
            List<String> out = new ArrayList<>();
            for (String l : Files.readAllLines(f)) {
                String t = l.strip();
                if (!t.isEmpty() && !t.startsWith("#")) out.add(t);
            }
            return out;
        }
        throw new IOException("ops/jvm.options not found");
    }

    public static double rssMb(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
        return -1;
    }

    /** Live heap after a full GC, in MB, via jcmd (same JDK); -1 if jcmd is unavailable. */
    public static double liveHeapMb(long pid) {
        try {
            String jcmd = System.getProperty("java.home") + "/bin/jcmd";
            new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true).start().waitFor();
            Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            // ZGC and G1 print one heap line; Serial and Parallel one per generation (summed); never Metaspace
            java.util.regex.Pattern used = java.util.regex.Pattern.compile("used (\\d+)([KMG])");
            double mb = 0;
            boolean any = false;
            for (String line : out.split("\n")) {
                if (line.contains("Metaspace") || line.contains("class space")) continue;
                java.util.regex.Matcher m = used.matcher(line);
                if (!m.find()) continue;
                double v = Double.parseDouble(m.group(1));
                mb += switch (m.group(2)) { case "K" -> v / 1024; case "G" -> v * 1024; default -> v; };
                any = true;
            }
            return any ? mb : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    public static Path defaultJar() {
        for (String c : new String[] {"signaling/target/roundtable.jar", "../signaling/target/roundtable.jar"})
            if (new File(c).isFile()) return Path.of(c).toAbsolutePath();
        throw new IllegalStateException("signaling/target/roundtable.jar not found: build first (mvn -DskipTests install)");
    }

    @Override public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
