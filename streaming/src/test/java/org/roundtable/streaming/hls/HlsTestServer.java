package org.roundtable.streaming.hls;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.TestProgram;

/** A real Jetty on 127.0.0.1 (ephemeral port) serving {@link HlsHandler} under /live, tokens from a map. */
final class HlsTestServer implements AutoCloseable {
    final Server server;
    final int port;
    final Map<String, HlsLookup> tokens = new ConcurrentHashMap<>();
    final HlsMetrics metrics = new HlsMetrics();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    HlsTestServer() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(16, 4);
        pool.setName("hls-test-http");
        server = new Server(pool);
        ServerConnector c = new ServerConnector(server, 1, 1);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        server.setHandler(new HlsHandler("/live", t -> tokens.getOrDefault(t, HlsLookup.unknown()), metrics));
        server.start();
        port = c.getLocalPort();
    }

    /** A runtime on this server's thread pool (answers) with the given clock and timer. */
    HlsRuntime runtime(java.time.Clock clock, HlsTimer timer) { return new HlsRuntime(clock, server.getThreadPool(), timer, metrics); }

    String url(String token, String file) { return "http://127.0.0.1:" + port + "/live/" + token + "/" + file; }

    HttpResponse<byte[]> get(String url, String... headers) throws Exception { return send("GET", url, headers).get(); }

    CompletableFuture<HttpResponse<byte[]>> send(String method, String url, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30));
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override public void close() throws Exception { server.stop(); }

    /** Feeds a TestProgram's frames into a stream one at a time, as the composition thread would. */
    static final class Feeder {
        final TestProgram program;
        final HlsStream stream;
        private int next;

        Feeder(TestProgram program, HlsStream stream) {
            this.program = program;
            this.stream = stream;
            stream.open(program.tracks);
        }

        /** Feeds frames until the snapshot satisfies done; returns System.nanoTime() right after that frame. */
        long until(Predicate<HlsSnapshot> done) {
            List<LiveFrame> frames = program.frames;
            while (next < frames.size()) {
                stream.frame(frames.get(next++));
                if (done.test(stream.snapshot())) return System.nanoTime();
            }
            throw new IllegalStateException("the program ended first");
        }

        /** Feeds until part index of segment msn exists. */
        long untilPart(long msn, int index) { return until(s -> s.part(msn, index) != null); }
    }
}
