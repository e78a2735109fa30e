package org.roundtable.streaming.rtmp;

import java.time.Duration;
import javax.net.ssl.SSLSocketFactory;

/**
 * How an {@link RtmpPush} bounds its waits and retries. Immutable; any thread.
 *
 * @param connectTimeout  TCP connect (and TLS handshake) limit
 * @param responseTimeout how long the RTMP handshake and each command answer (connect, createStream, publish) may take
 * @param stallTimeout    a write that makes no progress this long means the server stopped reading: the connection is cut
 * @param queueLength     how much program the push buffers while it is slow or reconnecting (frames beyond are dropped)
 * @param backoffFirst    the wait before the first retry; it doubles after each failure in a row
 * @param backoffMax      the longest wait between retries
 * @param stableAfter     a connection live this long resets the back-off to {@code backoffFirst}
 * @param maxRejections   the server refused the app or the stream key this many times in a row: give up (state failed)
 * @param closeGrace      how long {@code close()} lets FCUnpublish/deleteStream take before the socket is cut
 * @param tls             the factory for rtmps sockets; null: the JVM's default (system trust store, host name checked)
 */
public record RtmpOptions(Duration connectTimeout, Duration responseTimeout, Duration stallTimeout, Duration queueLength,
                          Duration backoffFirst, Duration backoffMax, Duration stableAfter, int maxRejections,
                          Duration closeGrace, SSLSocketFactory tls) {
    public static final RtmpOptions DEFAULTS = new RtmpOptions(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(8),
            Duration.ofSeconds(4), Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(30), 5, Duration.ofSeconds(1), null);

    public RtmpOptions {
        for (Duration d : new Duration[] {connectTimeout, responseTimeout, stallTimeout, queueLength, backoffFirst, backoffMax, stableAfter, closeGrace}) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("RTMP options: durations must be positive");
        }
        if (backoffMax.compareTo(backoffFirst) < 0) throw new IllegalArgumentException("RTMP options: backoffMax < backoffFirst");
        if (maxRejections < 1) throw new IllegalArgumentException("RTMP options: maxRejections < 1");
    }

    public RtmpOptions withTls(SSLSocketFactory factory) {
        return new RtmpOptions(connectTimeout, responseTimeout, stallTimeout, queueLength, backoffFirst, backoffMax, stableAfter, maxRejections, closeGrace, factory);
    }

    public RtmpOptions withTimeouts(Duration connect, Duration response, Duration stall) {
        return new RtmpOptions(connect, response, stall, queueLength, backoffFirst, backoffMax, stableAfter, maxRejections, closeGrace, tls);
    }

    public RtmpOptions withBackoff(Duration first, Duration max, Duration stable, int rejections) {
        return new RtmpOptions(connectTimeout, responseTimeout, stallTimeout, queueLength, first, max, stable, rejections, closeGrace, tls);
    }
}
