package org.roundtable.streaming.hls;

import java.nio.ByteBuffer;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.roundtable.streaming.hls.HlsMetrics.Kind;

/**
 * Serves the LL-HLS streams over Jetty 12's core API: {@code <prefix>/<token>/index.m3u8} (with blocking
 * reload through {@code _HLS_msn}/{@code _HLS_part}), {@code init.mp4}, {@code seg<msn>.<id>.m4s} segments and
 * {@code part<msn>.<part>.<id>.m4s} parts; GET, HEAD and CORS preflight. The token is looked up through the
 * function given (revoked: 403, unknown: 404). Requests that must wait (a blocking reload for a part not
 * made yet, the preload-hinted part, a first playlist before the first segment) are held without a thread:
 * handle returns true and the callback completes when the stream publishes, ends, or after three target
 * durations (503). Requests outside the prefix are left to the next handler (false).
 * Thread: Jetty's (never blocks; so it is a non-blocking handler).
 */
public final class HlsHandler extends Handler.Abstract.NonBlocking {
    private final String prefix;
    private final Function<String, HlsLookup> lookup;
    private final HlsMetrics metrics;
    private final HlsReplies replies;

    /** prefix: the path the streams live under, e.g. "/live" (no trailing slash; "" for the root). */
    public HlsHandler(String prefix, Function<String, HlsLookup> lookup, HlsMetrics metrics) {
        if (prefix.endsWith("/")) throw new IllegalArgumentException("prefix without trailing slash: " + prefix);
        this.prefix = prefix + "/";
        this.lookup = lookup;
        this.metrics = metrics;
        this.replies = new HlsReplies(metrics);
    }

    @Override
    public boolean handle(Request req, Response res, Callback cb) {
        String path = Request.getPathInContext(req);
        if (!path.startsWith(prefix)) return false;
        int slash = path.indexOf('/', prefix.length());
        String method = req.getMethod();
        boolean head = HttpMethod.HEAD.is(method);
        if (slash <= prefix.length() || path.indexOf('/', slash + 1) >= 0) return replies.error(res, cb, head, Kind.OTHER, null, 404, "not found");
        if (HttpMethod.OPTIONS.is(method)) return replies.options(res, cb);
        if (!head && !HttpMethod.GET.is(method)) {
            res.getHeaders().add(HttpHeader.ALLOW, "GET, HEAD, OPTIONS");
            return replies.error(res, cb, false, Kind.OTHER, null, 405, "method not allowed");
        }
        String file = path.substring(slash + 1);
        Kind kind = kindOf(file);
        HlsLookup found = lookup.apply(path.substring(prefix.length(), slash));
        if (found == null || found.status() == HlsLookup.Status.UNKNOWN) return replies.error(res, cb, head, kind, null, 404, "no such stream");
        if (found.status() == HlsLookup.Status.REVOKED) return replies.error(res, cb, head, kind, null, 403, "this link was revoked");
        HlsStream s = found.stream();
        s.stats().request(HlsStreamStats.clientKey(Request.getRemoteAddr(req), req.getHeaders().get(HttpHeader.USER_AGENT)));
        HlsSnapshot snap = s.snapshot();
        switch (kind) {
            case PLAYLIST: return playlist(req, res, cb, head, s, snap);
            case INIT:
                if (snap.init == null) return replies.error(res, cb, head, kind, s, 404, "the stream has not started");
                String q = req.getHttpURI().getQuery();
                boolean current = q != null && q.equals("v=" + snap.id);
                return replies.ok(res, cb, head, kind, s, HlsReplies.MP4, current ? HlsReplies.IMMUTABLE : HlsReplies.NO_CACHE, ByteBuffer.wrap(snap.init));
            case SEGMENT: return segment(res, cb, head, s, snap, file);
            case PART: return part(res, cb, head, s, snap, file);
            default: return replies.error(res, cb, head, kind, s, 404, "not found");
        }
    }

    private static Kind kindOf(String file) {
        if (file.equals("index.m3u8")) return Kind.PLAYLIST;
        if (file.equals("init.mp4")) return Kind.INIT;
        if (file.endsWith(".m4s") && file.startsWith("seg")) return Kind.SEGMENT;
        if (file.endsWith(".m4s") && file.startsWith("part")) return Kind.PART;
        return Kind.OTHER;
    }

    private boolean playlist(Request req, Response res, Callback cb, boolean head, HlsStream s, HlsSnapshot snap) {
        long msn = -1, part = -1;
        String q = req.getHttpURI().getQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                if (kv.startsWith("_HLS_msn=")) msn = number(kv.substring(9));
                else if (kv.startsWith("_HLS_part=")) part = number(kv.substring(10));
                else continue;
                if (msn == -2 || part == -2) return replies.error(res, cb, head, Kind.BLOCKING_PLAYLIST, s, 400, "bad _HLS_msn or _HLS_part");
            }
        }
        if (msn < 0) {
            if (part >= 0) return replies.error(res, cb, head, Kind.BLOCKING_PLAYLIST, s, 400, "_HLS_part without _HLS_msn");
            if (snap.has(0, -1)) return replies.playlist(res, cb, head, Kind.PLAYLIST, s, snap);
            return hold(res, cb, Kind.PLAYLIST, s, new PlaylistWaiter(res, cb, head, Kind.PLAYLIST, s, 0, -1));  // not started: wait for segment 0
        }
        if (part > Integer.MAX_VALUE) part = Integer.MAX_VALUE;
        // An ended stream has everything: the directives are ignored (RFC 8216bis 6.2.5.2).
        if (snap.has(msn, (int) part)) return replies.playlist(res, cb, head, Kind.BLOCKING_PLAYLIST, s, snap);
        if (snap.tooFar(msn, (int) part)) return replies.error(res, cb, head, Kind.BLOCKING_PLAYLIST, s, 400, "_HLS_msn/_HLS_part too far ahead");
        return hold(res, cb, Kind.BLOCKING_PLAYLIST, s, new PlaylistWaiter(res, cb, head, Kind.BLOCKING_PLAYLIST, s, msn, (int) part));
    }

    private boolean segment(Response res, Callback cb, boolean head, HlsStream s, HlsSnapshot snap, String file) {
        String[] f = file.substring(3, file.length() - 4).split("\\.", -1);
        long msn = f.length == 2 && f[1].equals(snap.id) ? number(f[0]) : -2;
        HlsSnapshot.Segment seg = msn >= 0 ? snap.segment(msn) : null;
        if (seg == null) return replies.error(res, cb, head, Kind.SEGMENT, s, 404, "no such segment");
        return replies.ok(res, cb, head, Kind.SEGMENT, s, HlsReplies.SEGMENT, HlsReplies.IMMUTABLE, seg.data());
    }

    private boolean part(Response res, Callback cb, boolean head, HlsStream s, HlsSnapshot snap, String file) {
        String[] f = file.substring(4, file.length() - 4).split("\\.", -1);
        long msn = f.length == 3 && f[2].equals(snap.id) ? number(f[0]) : -2, index = f.length == 3 ? number(f[1]) : -2;
        if (msn < 0 || index < 0 || index > Integer.MAX_VALUE) return replies.error(res, cb, head, Kind.PART, s, 404, "no such part");
        HlsSnapshot.Part p = snap.part(msn, (int) index);
        if (p != null) return replies.ok(res, cb, head, Kind.PART, s, HlsReplies.SEGMENT, HlsReplies.IMMUTABLE, p.data());
        if (snap.isHinted(msn, (int) index)) return hold(res, cb, Kind.PART, s, new PartWaiter(res, cb, head, s, msn, (int) index));
        return replies.error(res, cb, head, Kind.PART, s, 404, "no such part");
    }

    private boolean hold(Response res, Callback cb, Kind kind, HlsStream s, Waiters.Waiter w) {
        if (s.await(w)) return true;
        metrics.countRefused();
        return replies.error(res, cb, false, kind, s, 503, "too many waiting requests");
    }

    /** A decimal of at most 18 digits, or -2. */
    private static long number(String v) {
        if (v.isEmpty() || v.length() > 18) return -2;
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') return -2;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** A playlist request held until the playlist has segment msn (part &lt; 0) or that part of it. */
    private final class PlaylistWaiter implements Waiters.Waiter {
        private final Response res;
        private final Callback cb;
        private final boolean head;
        private final Kind kind;
        private final HlsStream s;
        private final long msn;
        private final int part;

        PlaylistWaiter(Response res, Callback cb, boolean head, Kind kind, HlsStream s, long msn, int part) {
            this.res = res; this.cb = cb; this.head = head; this.kind = kind; this.s = s; this.msn = msn; this.part = part;
        }

        @Override public boolean ready(HlsSnapshot snap) { return snap.has(msn, part); }

        @Override public void answer(HlsSnapshot snap) { replies.playlist(res, cb, head, kind, s, snap); }

        @Override public void expire() { replies.error(res, cb, head, kind, s, 503, "the playlist did not advance in time"); }
    }

    /** A request for the preload-hinted part, held until that part is complete (or will never be: 404). */
    private final class PartWaiter implements Waiters.Waiter {
        private final Response res;
        private final Callback cb;
        private final boolean head;
        private final HlsStream s;
        private final long msn;
        private final int index;

        PartWaiter(Response res, Callback cb, boolean head, HlsStream s, long msn, int index) {
            this.res = res; this.cb = cb; this.head = head; this.s = s; this.msn = msn; this.index = index;
        }

        @Override public boolean ready(HlsSnapshot snap) { return !snap.isHinted(msn, index); }

        @Override public void answer(HlsSnapshot snap) {
            HlsSnapshot.Part p = snap.part(msn, index);
            if (p == null) replies.error(res, cb, head, Kind.PART, s, 404, "the hinted part was not made");
            else replies.ok(res, cb, head, Kind.PART, s, HlsReplies.SEGMENT, HlsReplies.IMMUTABLE, p.data());
        }

        @Override public void expire() { replies.error(res, cb, head, Kind.PART, s, 503, "the part was not made in time"); }
    }
}
