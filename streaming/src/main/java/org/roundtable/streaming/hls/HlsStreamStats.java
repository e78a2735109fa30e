package org.roundtable.streaming.hls;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One stream's audience: requests, body bytes served, and viewers, the distinct clients seen in the last
 * 15 s. A client is its remote address plus its User-Agent (hashed to 64 bits): players on one household's
 * NAT with different browsers count apart, tabs of one browser count once. Behind a CDN or proxy the
 * address is the edge's unless the connector's ForwardedRequestCustomizer puts the viewer's address in
 * the request; then the CDN's own logs are the better viewer count. Thread-safe (HTTP threads write,
 * anyone reads); the map of clients is swept every 5 s and never holds more than 200,000.
 */
public final class HlsStreamStats {
    public static final long VIEWER_WINDOW_MILLIS = 15_000;
    private static final int MAX_CLIENTS = 200_000;

    private final Clock clock;
    private final LongAdder requests = new LongAdder(), bytes = new LongAdder();
    private final ConcurrentHashMap<Long, Long> lastSeen = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong();

    HlsStreamStats(Clock clock) { this.clock = clock; }

    /** The client identity of a request: address and User-Agent. */
    static long clientKey(String remoteAddress, String userAgent) {
        long a = remoteAddress == null ? 0 : remoteAddress.hashCode();
        long u = userAgent == null ? 0 : userAgent.hashCode();
        return (a << 32) ^ (u & 0xffffffffL);
    }

    void request(long client) {
        requests.increment();
        long now = clock.millis();
        if (lastSeen.size() < MAX_CLIENTS || lastSeen.containsKey(client)) lastSeen.put(client, now);
        long swept = lastSweep.get();
        if (now - swept > 5_000 && lastSweep.compareAndSet(swept, now)) sweep(now);
    }

    void served(long bodyBytes) { bytes.add(bodyBytes); }

    public long requests() { return requests.sum(); }

    public long bytesServed() { return bytes.sum(); }

    /** Distinct clients seen in the last {@link #VIEWER_WINDOW_MILLIS}. */
    public int viewers() {
        long from = clock.millis() - VIEWER_WINDOW_MILLIS;
        int n = 0;
        for (Long t : lastSeen.values()) if (t > from) n++;
        return n;
    }

    private void sweep(long now) {
        long from = now - VIEWER_WINDOW_MILLIS;
        lastSeen.values().removeIf(t -> t <= from);
    }
}
