package org.roundtable.streaming.hls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The bench server's own clock on held requests: for each blocking reload and part request naming part
 * (msn, i), the time from max(the part's publication, the request's arrival) until Jetty reported the whole
 * response written (the callback succeeded). This is the server's part of the latency, without the load
 * client's own queueing. Wraps the HLS handler; any thread.
 */
final class BenchTiming extends Handler.Wrapper {
    private static final Pattern BLOCKING = Pattern.compile("_HLS_msn=(\\d+)&_HLS_part=(\\d+)");
    private static final Pattern PART = Pattern.compile("/part(\\d+)\\.(\\d+)\\.[a-z0-9]+\\.m4s$");

    final Map<Long, Long> published = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<long[]> playlists = new ConcurrentLinkedQueue<>(), parts = new ConcurrentLinkedQueue<>();
    volatile boolean measuring;

    BenchTiming(Handler h) { super(h); }

    @Override
    public boolean handle(Request req, Response res, Callback cb) throws Exception {
        if (!measuring) return super.handle(req, res, cb);
        long arrived = System.nanoTime();
        String q = req.getHttpURI().getQuery();
        Matcher m = q == null ? PART.matcher(req.getHttpURI().getPath()) : BLOCKING.matcher(q);
        if (!m.find()) return super.handle(req, res, cb);
        long key = Long.parseLong(m.group(1)) * 1000 + Long.parseLong(m.group(2));
        ConcurrentLinkedQueue<long[]> into = q == null ? parts : playlists;
        return super.handle(req, res, new Callback.Nested(cb) {
            @Override public void succeeded() {
                into.add(new long[] {key, arrived, System.nanoTime()});
                super.succeeded();
            }
        });
    }

    String report() { return "\"serverPlaylistAfterReadyMs\":" + percentiles(playlists) + ",\"serverPartAfterReadyMs\":" + percentiles(parts); }

    private String percentiles(ConcurrentLinkedQueue<long[]> queue) {
        List<long[]> times = new ArrayList<>(queue);              // requests in flight may still add to it
        long[] ns = new long[times.size()];
        int n = 0;
        for (long[] t : times) {
            Long pub = published.get(t[0]);
            if (pub != null) ns[n++] = t[2] - Math.max(pub, t[1]);
        }
        if (n == 0) return "{\"count\":0}";
        ns = Arrays.copyOf(ns, n);
        Arrays.sort(ns);
        return String.format("{\"count\":%d,\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f}", n,
                ns[n / 2] / 1e6, ns[(int) (n * 0.9)] / 1e6, ns[Math.min(n - 1, (int) (n * 0.99))] / 1e6, ns[n - 1] / 1e6);
    }
}
