package org.roundtable.streaming.hls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.roundtable.streaming.hls.HlsMetrics.Kind;

/**
 * How {@link HlsHandler} answers: content types, the cache headers a CDN in front can use, CORS, and the
 * counting of each answer (per kind and status, and the stream's bytes). Headers are pre-encoded once.
 * Any thread (HTTP threads, the executor answering blocked requests, the timer).
 */
final class HlsReplies {
    static final HttpField CORS = new PreEncodedHttpField("Access-Control-Allow-Origin", "*");
    static final HttpField PLAYLIST = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/vnd.apple.mpegurl");
    static final HttpField MP4 = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "video/mp4");
    static final HttpField SEGMENT = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "video/iso.segment");
    static final HttpField TEXT = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    /** A live playlist changes with every part: a CDN may keep it one second at most. */
    static final HttpField LIVE_PLAYLIST_CACHE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "public, max-age=1");
    /** Media names are never reused (they carry the stream id): keep them. */
    static final HttpField IMMUTABLE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "public, max-age=31536000, immutable");
    static final HttpField NO_CACHE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-cache");
    static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");
    static final HttpField ALLOW = new PreEncodedHttpField("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
    static final HttpField ALLOW_HEADERS = new PreEncodedHttpField("Access-Control-Allow-Headers", "Range");
    static final HttpField RETRY = new PreEncodedHttpField(HttpHeader.RETRY_AFTER, "1");
    /**
     * A blocking reload's answer (its URL names the part it waited for; any later playlist also answers it)
     * may be cached for one target duration, by target duration in seconds.
     */
    private static final HttpField[] BLOCKING_CACHE = new HttpField[31];

    static {
        for (int i = 1; i < BLOCKING_CACHE.length; i++) BLOCKING_CACHE[i] = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "public, max-age=" + i);
    }

    private final HlsMetrics metrics;

    HlsReplies(HlsMetrics metrics) { this.metrics = metrics; }

    static HttpField blockingCache(HlsConfig c) { return BLOCKING_CACHE[Math.min(c.targetDurationSeconds(), BLOCKING_CACHE.length - 1)]; }

    /** A 200 with a body (shared: it is duplicated, never consumed), or for HEAD its headers only. */
    boolean ok(Response res, Callback cb, boolean head, Kind kind, HlsStream s, HttpField type, HttpField cache, ByteBuffer body) {
        return send(res, cb, head, kind, s, 200, type, cache, body);
    }

    boolean playlist(Response res, Callback cb, boolean head, Kind kind, HlsStream s, HlsSnapshot snap) {
        HttpField cache = kind == Kind.BLOCKING_PLAYLIST && !snap.ended ? blockingCache(snap.config) : LIVE_PLAYLIST_CACHE;
        return send(res, cb, head, kind, s, 200, PLAYLIST, cache, ByteBuffer.wrap(snap.playlist));
    }

    /** An error with a one-line text body; never cached (the resource may exist a moment later). */
    boolean error(Response res, Callback cb, boolean head, Kind kind, HlsStream s, int status, String message) {
        if (status == 503) res.getHeaders().add(RETRY);
        return send(res, cb, head, kind, s, status, TEXT, NO_STORE, ByteBuffer.wrap((message + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    /** The answer to a CORS preflight. */
    boolean options(Response res, Callback cb) {
        res.setStatus(204);
        HttpFields.Mutable h = res.getHeaders();
        h.add(CORS);
        h.add(ALLOW);
        h.add(ALLOW_HEADERS);
        h.add("Access-Control-Max-Age", 86400);
        metrics.request(Kind.OTHER, 204, 0);
        cb.succeeded();
        return true;
    }

    private boolean send(Response res, Callback cb, boolean head, Kind kind, HlsStream s, int status, HttpField type,
                         HttpField cache, ByteBuffer body) {
        res.setStatus(status);
        HttpFields.Mutable h = res.getHeaders();
        h.add(CORS);
        h.add(type);
        h.add(cache);
        int length = body.remaining();
        h.add(HttpHeader.CONTENT_LENGTH, length);
        long sent = head ? 0 : length;
        metrics.request(kind, status, sent);
        if (s != null) s.stats().served(sent);
        if (head) res.write(true, null, cb);
        else res.write(true, body.duplicate(), cb);
        return true;
    }
}
