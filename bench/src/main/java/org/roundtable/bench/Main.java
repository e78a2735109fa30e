package org.roundtable.bench;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.roundtable.bench.load.LoadRun;
import org.roundtable.bench.load.ServerProcess;

/**
 * {@code bench/run.sh <fanout|meeting|audio|churn> [--publishers P] [--subscribers S] [--seconds T]
 * [--warmup W] [--server URL --server-pid PID] [--server-cpus LIST] [--churn-rate R] [--latency-every N]
 * [--meetings M] [--media-loops N] [--setup-warmup K]} (fanout: M meetings side by side, each 1 -> S; N: the started server's media loops)
 * Prints one JSON line. Starts its own server (a separate process, optionally pinned) unless pointed at one.
 * {@code bench/run.sh compose ...} runs {@link org.roundtable.bench.compose.ComposeBench} in this process instead, and
 * {@code bench/run.sh drift ...} {@link org.roundtable.bench.compose.DriftBench} (A/V drift of a long recording).
 */
public final class Main {
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: bench/run.sh <fanout|meeting|audio|churn> [--publishers P] [--subscribers S] [--seconds T] [--warmup W]"
                    + " [--server URL --server-pid PID] [--server-cpus LIST] [--churn-rate R] [--latency-every N]"
                    + " [--meetings M] [--media-loops N] [--setup-warmup K]");
            System.err.println("       bench/run.sh compose [--tiles 2,4,9,16] [--seconds 15] ... (in process: see ComposeBench)");
            System.err.println("       bench/run.sh drift [--minutes 10] [--drift-ppm 100] ... (in process: see DriftBench)");
            System.exit(2);
        }
        String scenario = args[0];
        if (scenario.equals("compose")) {
            org.roundtable.bench.compose.ComposeBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (scenario.equals("drift")) {
            org.roundtable.bench.compose.DriftBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        int p = -1, s = 20, t = 10, w = 3, latencyEvery = 1, meetings = 1, loops = 0, setupWarmup = 0;
        double churn = 2;
        String server = null, cpus = null;
        long pid = -1;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--publishers" -> p = Integer.parseInt(args[++i]);
                case "--subscribers" -> s = Integer.parseInt(args[++i]);
                case "--seconds" -> t = Integer.parseInt(args[++i]);
                case "--warmup" -> w = Integer.parseInt(args[++i]);
                case "--server" -> server = args[++i];
                case "--server-pid" -> pid = Long.parseLong(args[++i]);
                case "--server-cpus" -> cpus = args[++i];
                case "--churn-rate" -> churn = Double.parseDouble(args[++i]);
                case "--latency-every" -> latencyEvery = Integer.parseInt(args[++i]);
                case "--meetings" -> meetings = Integer.parseInt(args[++i]);
                case "--media-loops" -> loops = Integer.parseInt(args[++i]);
                case "--setup-warmup" -> setupWarmup = Integer.parseInt(args[++i]);
                default -> { System.err.println("unknown option " + args[i]); System.exit(2); }
            }
        }
        if (p < 0) p = switch (scenario) { case "meeting" -> 10; case "audio" -> 10; case "churn" -> 2; default -> 1; };
        if (s * meetings > 1000 || p * meetings > 50 || t > 600 || meetings < 1 || meetings > 50) {
            System.err.println("bounded: at most 1000 subscribers, 50 publishers (over all meetings), 50 meetings, 600 s");
            System.exit(2);
        }
        ServerProcess proc = null;
        if (server == null) {
            int http = freePort(), media = freePort();
            Path log = Files.createTempFile("roundtable-bench-server", ".log");
            proc = ServerProcess.start(ServerProcess.defaultJar(), http, media, cpus, loops, log);
            server = proc.url;
            pid = proc.pid;
        } else if (pid < 0) {
            System.err.println("--server needs --server-pid (CPU is read from /proc/<pid>/stat)");
            System.exit(2);
        }
        LoadRun run = new LoadRun(new LoadRun.Options(scenario, p, s, t, w, server, pid, churn, latencyEvery, meetings, Math.min(setupWarmup, 1000)));
        try {
            System.out.println(run.run().toString());
        } finally {
            run.close();
            if (proc != null) proc.close();
        }
        System.exit(0);
    }

    static int freePort() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) { return ss.getLocalPort(); }
    }
}
