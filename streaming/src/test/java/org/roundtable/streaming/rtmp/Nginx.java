package org.roundtable.streaming.rtmp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real nginx with the RTMP module for the tests, configured in its own temp dir (rtmp and http on free
 * 127.0.0.1 ports, application live, /control and /stat), started as a child process and stopped by close().
 * Skipped when nginx or the module is missing, or outside the test namespace (RT_NETNS; required in CI).
 */
final class Nginx implements AutoCloseable {
    static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");
    final int rtmpPort, httpPort;
    final Path dir;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static void require() {
        if (System.getenv("RT_NETNS") == null) {
            if ("true".equals(System.getenv("CI"))) throw new AssertionError("CI runs this inside the test namespace (ops/test.sh)");
            Assumptions.assumeTrue(false, "needs the test namespace (RT_NETNS): run ops/test.sh");
        }
        Assumptions.assumeFalse(Boolean.getBoolean("skip.e2e"), "e2e tests skipped (-Dskip.e2e=true)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nginx")) && Files.exists(MODULE), "nginx with the rtmp module is not installed");
    }

    Nginx() throws Exception {
        require();
        dir = Files.createTempDirectory("rt-nginx-rtmp");
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("tmp"));
        rtmpPort = freePort();
        httpPort = freePort();
        String d = dir.toString();
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "load_module " + MODULE + ";",
                "daemon off;",
                "master_process on;",
                "worker_processes 1;",
                "pid " + d + "/nginx.pid;",
                "error_log " + d + "/logs/error.log info;",
                "events { worker_connections 64; }",
                "rtmp {",
                "  server {",
                "    listen 127.0.0.1:" + rtmpPort + ";",
                "    chunk_size 4096;",
                "    application live { live on; record off; wait_key on; }",
                "  }",
                "}",
                "http {",
                "  access_log off;",
                "  client_body_temp_path " + d + "/tmp/body;",
                "  proxy_temp_path " + d + "/tmp/proxy;",
                "  fastcgi_temp_path " + d + "/tmp/fastcgi;",
                "  uwsgi_temp_path " + d + "/tmp/uwsgi;",
                "  scgi_temp_path " + d + "/tmp/scgi;",
                "  server {",
                "    listen 127.0.0.1:" + httpPort + ";",
                "    location /control { rtmp_control all; }",
                "    location /stat { rtmp_stat all; }",
                "  }",
                "}", ""));
        process = new ProcessBuilder("/usr/sbin/nginx", "-p", d, "-c", "nginx.conf", "-e", d + "/logs/error.log")
                .redirectErrorStream(true).redirectOutput(dir.resolve("logs/stdout.log").toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!listening(rtmpPort) || !listening(httpPort)) {
            if (!process.isAlive() || System.nanoTime() > end)
                throw new IOException("nginx did not start: " + Files.readString(dir.resolve("logs/error.log")));
            Thread.sleep(50);
        }
    }

    /** A GET on the http server: the body (for /control and /stat). */
    String get(String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(5)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString()).body();
    }

    String url(String key) { return "rtmp://127.0.0.1:" + rtmpPort + "/live/" + key; }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) { return s.getLocalPort(); }
    }

    @Override public void close() throws Exception {
        process.destroy();                                               // SIGTERM: fast shutdown, workers too
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** Runs a tool (ffprobe, ffmpeg) with a time limit: {exit code, stdout, stderr}. */
    static String[] run(int limitSeconds, String... cmd) throws Exception {
        Path out = Files.createTempFile("rt-tool", ".out"), err = Files.createTempFile("rt-tool", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return new String[] {"timeout", Files.readString(out), Files.readString(err)};
            }
            return new String[] {Integer.toString(p.exitValue()), Files.readString(out), Files.readString(err)};
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
