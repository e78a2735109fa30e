package org.roundtable.streaming.live;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The live link's pages, in front of the HLS handler: {@code /live/<token>} is the viewer page (subject,
 * live badge, the player; it says when the stream has not started or has ended), {@code status.json} where
 * the stream stands, {@code qr.png} a QR code of the link (the link as the browser reached it: the host
 * given by the request, so a proxy in front is honoured through its Host header), and
 * {@code /live/assets/} the page's player (hls.js, vendored with its licence; no internet needed). A
 * revoked token gets 403, an unknown one 404. Anything else under /live (the playlist, segments, parts)
 * is left to the next handler. Thread: Jetty's (no blocking: everything is in memory).
 */
public final class LiveHandler extends Handler.Abstract.NonBlocking {
    private static final String PREFIX = "/live/";
    private static final String ASSETS = PREFIX + "assets/";
    private final LiveDirectory directory;
    private final String page;
    private final Map<String, byte[]> assets = new ConcurrentHashMap<>();
    private final Map<String, byte[]> qrs = new ConcurrentHashMap<>();

    public LiveHandler(LiveDirectory directory) {
        this.directory = directory;
        this.page = new String(resource("viewer.html"), StandardCharsets.UTF_8);
        assets.put("hls.light.min.js", resource("hls.light.min.js"));
        assets.put("hls.js-LICENSE", resource("hls.js-LICENSE"));
    }

    @Override
    public boolean handle(Request req, Response res, Callback cb) {
        String path = Request.getPathInContext(req);
        if (!path.startsWith(PREFIX)) return false;
        String method = req.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) return false;
        if (path.startsWith(ASSETS)) {
            byte[] a = assets.get(path.substring(ASSETS.length()));
            if (a == null) return error(res, cb, 404, "not found");
            String type = path.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/plain; charset=utf-8";
            return send(res, cb, 200, type, "public, max-age=86400", a);
        }
        String rest = path.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        String token = slash < 0 ? rest : rest.substring(0, slash);
        String file = slash < 0 ? "" : rest.substring(slash + 1);
        if (!file.isEmpty() && !file.equals("status.json") && !file.equals("qr.png")) return false;   // HLS
        LiveDirectory.Channel c = directory.find(token);
        if (c == null) return directory.isRevoked(token) ? error(res, cb, 403, "this live link was revoked")
                : error(res, cb, 404, "no such live stream");
        switch (file) {
            case "status.json": {
                String json = "{\"state\":\"" + c.state().name().toLowerCase() + "\",\"subject\":" + jsonString(c.subject()) + "}";
                return send(res, cb, 200, "application/json", "no-cache", json.getBytes(StandardCharsets.UTF_8));
            }
            case "qr.png": {
                String link = linkOf(req, token);
                byte[] png = qrs.computeIfAbsent(link, l -> QrCodes.png(l, 320));
                if (qrs.size() > 1000) qrs.clear();
                return send(res, cb, 200, "image/png", "private, max-age=3600", png);
            }
            default: {
                String html = page.replace("{{subjectJson}}", jsonString(c.subject()).replace("</", "<\\/"))
                        .replace("{{subject}}", htmlEscape(c.subject())).replace("{{assets}}", "/live/assets");
                if (slash < 0) res.getHeaders().put(HttpHeader.CONTENT_LOCATION, "/live/" + token + "/");
                return send(res, cb, 200, "text/html; charset=utf-8", "no-cache", html.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** The absolute live link as this request reached the server. */
    public static String linkOf(Request req, String token) {
        var uri = req.getHttpURI();
        String host = req.getHeaders().get(HttpHeader.HOST);
        if (host == null) host = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        return (req.isSecure() ? "https" : "http") + "://" + host + "/live/" + token;
    }

    private static boolean send(Response res, Callback cb, int status, String type, String cache, byte[] body) {
        res.setStatus(status);
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        res.getHeaders().put(HttpHeader.CACHE_CONTROL, cache);
        res.getHeaders().put("X-Content-Type-Options", "nosniff");
        res.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (HttpMethod.HEAD.is(res.getRequest().getMethod())) {
            cb.succeeded();
            return true;
        }
        res.write(true, ByteBuffer.wrap(body), cb);
        return true;
    }

    private static boolean error(Response res, Callback cb, int status, String message) {
        String json = "{\"code\":\"" + (status == 403 ? "revoked" : "not_found") + "\",\"message\":" + jsonString(message) + "}";
        return send(res, cb, status, "application/json", "no-cache", json.getBytes(StandardCharsets.UTF_8));
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> { if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&') b.append(String.format("\\u%04x", (int) ch)); else b.append(ch); }
            }
        }
        return b.append('"').toString();
    }

    static String htmlEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    private static byte[] resource(String name) {
        try (InputStream in = LiveHandler.class.getResourceAsStream("/org/roundtable/streaming/web/" + name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
