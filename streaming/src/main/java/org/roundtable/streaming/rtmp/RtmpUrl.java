package org.roundtable.streaming.rtmp;

import java.util.Locale;

/**
 * Where an RTMP push goes: {@code rtmp://host[:port]/app[/inst]/streamKey} or {@code rtmps://} (TLS), as a CDN,
 * YouTube ({@code rtmp://a.rtmp.youtube.com/live2/KEY}), Bilibili ({@code rtmp://live-push.bilivideo.com/live-bvc/?streamname=...})
 * or nginx-rtmp gives it. The stream key is a secret: {@link #toString()} masks it, and so does every error
 * message this class writes. Immutable; any thread.
 *
 * @param tls        rtmps (TLS)
 * @param host       host name or IP literal (IPv6 without brackets)
 * @param port       TCP port (1935 for rtmp, 443 for rtmps unless given)
 * @param app        the application path, everything between the host and the key ("live2", "app/inst")
 * @param streamKey  the last path segment, with any query string (the secret)
 */
public record RtmpUrl(boolean tls, String host, int port, String app, String streamKey) {
    static final int MAX_LENGTH = 2048;
    private static final String FORM = "rtmp://host[:port]/app/streamKey or rtmps://...";

    public RtmpUrl {
        if (host == null || host.isEmpty()) throw new IllegalArgumentException("RTMP URL has no host (" + FORM + ")");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("RTMP port out of range: " + port);
        if (app == null || app.isEmpty() || app.startsWith("/") || app.endsWith("/"))
            throw new IllegalArgumentException("RTMP URL has no application name (" + FORM + ")");
        if (streamKey == null || streamKey.isEmpty()) throw new IllegalArgumentException("RTMP URL has no stream key (" + FORM + ")");
        for (String s : new String[] {host, app, streamKey}) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c <= ' ' || c == 0x7f) throw new IllegalArgumentException("RTMP URL contains a space or control character");
            }
        }
    }

    /** Parses a whole URL (server and key in one). */
    public static RtmpUrl parse(String url) {
        if (url == null) throw new IllegalArgumentException("no RTMP URL");
        String u = url.strip();
        if (u.length() > MAX_LENGTH) throw new IllegalArgumentException("RTMP URL longer than " + MAX_LENGTH + " characters");
        String lower = u.toLowerCase(Locale.ROOT);
        boolean tls;
        if (lower.startsWith("rtmp://")) tls = false;
        else if (lower.startsWith("rtmps://")) tls = true;
        else throw new IllegalArgumentException("RTMP URL must start with rtmp:// or rtmps:// (" + FORM + ")");
        String rest = u.substring(tls ? 8 : 7);
        int slash = rest.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("RTMP URL needs an application and a stream key (" + FORM + ")");
        String authority = rest.substring(0, slash), path = rest.substring(slash + 1);
        if (authority.indexOf('@') >= 0) throw new IllegalArgumentException("RTMP URL must not carry user:password@ (put credentials in the stream key)");
        String host;
        int port = tls ? 443 : 1935;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("RTMP URL has an unclosed IPv6 address");
            host = authority.substring(1, close);
            if (close + 1 < authority.length()) {
                if (authority.charAt(close + 1) != ':') throw new IllegalArgumentException("RTMP URL has junk after the IPv6 address");
                portText = authority.substring(close + 2);
            }
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            if (colon >= 0) portText = authority.substring(colon + 1);
        }
        if (portText != null) port = parsePort(portText);
        int query = path.indexOf('?');
        int last = path.lastIndexOf('/', query < 0 ? path.length() : query);
        if (last < 0) throw new IllegalArgumentException("RTMP URL needs an application and a stream key (" + FORM + ")");
        return new RtmpUrl(tls, host, port, path.substring(0, last), path.substring(last + 1));
    }

    /** Joins a server URL ({@code rtmp://host/app}, as services show it) and a separately given key. */
    public static RtmpUrl parse(String server, String streamKey) {
        if (server == null || streamKey == null || streamKey.isBlank()) throw new IllegalArgumentException("RTMP server or stream key missing");
        String s = server.strip();
        return parse((s.endsWith("/") ? s : s + "/") + streamKey.strip());
    }

    private static int parsePort(String p) {
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(Character::isDigit))
            throw new IllegalArgumentException("RTMP URL has a bad port '" + p + "'");
        return Integer.parseInt(p);
    }

    /** The tcUrl of the connect command: the URL up to the application (no key). */
    public String tcUrl() {
        boolean defaultPort = port == (tls ? 443 : 1935);
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return (tls ? "rtmps://" : "rtmp://") + h + (defaultPort ? "" : ":" + port) + "/" + app;
    }

    /**
     * Replaces the key wherever it appears in a text (a server's error description, an exception message).
     * Keys under 4 characters are no secret and are left alone (they would mangle ordinary words).
     */
    public String redact(String text) {
        return text == null || streamKey.length() < 4 ? text : text.replace(streamKey, "****");
    }

    /** The URL with the stream key masked: safe for logs, the host's view and /metrics. */
    @Override public String toString() { return tcUrl() + "/****"; }
}
