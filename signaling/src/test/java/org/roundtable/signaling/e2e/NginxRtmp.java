package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The test CDN ingest: nginx with the rtmp module (Debian nginx-light + libnginx-mod-rtmp; recipe from the
 * harness's nginx.conf.in), RTMP on 127.0.0.1 at a free port (application "live"), and its control
 * endpoint over HTTP on another (/control/drop/publisher drops a publisher, as a CDN hiccup would;
 * /stat shows who publishes). All files under a temp directory; no system paths.
 */
final class NginxRtmp implements AutoCloseable {
    final Path dir;
    final int rtmpPort, httpPort;
    private final Process process;

    NginxRtmp() throws Exception {
        Baresip.requireNamespace();
        dir = Files.createTempDirectory("rt-nginx");
        rtmpPort = E2e.freeTcpPort();
        httpPort = E2e.freeTcpPort();
        for (String d : new String[] {"logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"}) Files.createDirectories(dir.resolve(d));
        String w = dir.toString();
        Files.writeString(dir.resolve("nginx.conf"), "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\n"
                + "daemon off;\nmaster_process on;\nworker_processes 1;\npid " + w + "/nginx.pid;\nerror_log " + w + "/logs/error.log info;\n"
                + "events { worker_connections 256; }\n"
                + "rtmp { server { listen 127.0.0.1:" + rtmpPort + "; chunk_size 4096; application live { live on; record off; } } }\n"
                + "http {\n  access_log " + w + "/logs/access.log;\n  client_body_temp_path " + w + "/tmp/body;\n  proxy_temp_path " + w + "/tmp/proxy;\n"
                + "  fastcgi_temp_path " + w + "/tmp/fastcgi;\n  uwsgi_temp_path " + w + "/tmp/uwsgi;\n  scgi_temp_path " + w + "/tmp/scgi;\n"
                + "  server { listen 127.0.0.1:" + httpPort + "; location /control { rtmp_control all; } location /stat { rtmp_stat all; } }\n}\n");
        process = new ProcessBuilder("nginx", "-p", w, "-c", w + "/nginx.conf").redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs/stdout.log").toFile()).start();
        assertTrue(E2e.waitFor(10_000, () -> listening(rtmpPort) && listening(httpPort)), () -> "nginx-rtmp listens: " + log());
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) { return true; } catch (Exception e) { return false; }
    }

    String url(String key) { return "rtmp://127.0.0.1:" + rtmpPort + "/live/" + key; }

    /** Drops the publisher of a stream (nginx-rtmp's control endpoint); the number of clients dropped. */
    int dropPublisher(String key) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + httpPort + "/control/drop/publisher?app=live&name=" + key)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? Integer.parseInt(r.body().trim()) : 0;
    }

    /** Whether nginx has a publisher on the stream now (its rtmp_stat page). */
    boolean publishing(String key) {
        try {
            String stat = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/stat")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            int i = stat.indexOf("<name>" + key + "</name>");
            return i >= 0 && stat.indexOf("<publishing/>", i) > 0;
        } catch (Exception e) {
            return false;
        }
    }

    String log() {
        try { return Files.readString(dir.resolve("logs/error.log")) + Files.readString(dir.resolve("logs/stdout.log")); } catch (Exception e) { return ""; }
    }

    @Override public void close() throws Exception {
        java.util.List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        process.destroy();
        if (!process.waitFor(3, TimeUnit.SECONDS)) all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) if (h.isAlive()) h.destroyForcibly();
    }
}
