package org.roundtable.signaling.api;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.roundtable.signaling.meeting.MeetingService;
import org.roundtable.signaling.meeting.Participant;
import org.roundtable.signaling.meeting.SignalingException;

/**
 * Plain HTTP: the web client and SDK, WHIP (RFC 9725) and WHEP ingest/egress, /metrics and /health.
 * Thread: Jetty's request threads; meeting changes go through {@link MeetingService}.
 */
public final class HttpApi extends Handler.Abstract {
    private static final int MAX_SDP = 64 * 1024;
    private final MeetingService meetings;
    private final PrometheusRegistry registry;
    private final Map<String, byte[]> assets = new ConcurrentHashMap<>();
    /** WHIP/WHEP resources: resource path -> (meeting, participant). */
    private final Map<String, Object[]> resources = new ConcurrentHashMap<>();

    private final MeetingApi meetingApi;
    /**
     * Time from a WHIP/WHEP POST to its SDP answer (the join, the meeting's rules, the offer), by kind and
     * outcome: what a client waits before ICE can start, a share of its set-up.
     */
    private final io.prometheus.metrics.core.metrics.Histogram answerSeconds;

    private final FilesApi filesApi;
    private static final java.util.regex.Pattern FILES = java.util.regex.Pattern.compile("/api/meetings/([A-Za-z0-9_.-]{1,64})/files(?:/([a-z0-9]{1,32}))?/?");

    public HttpApi(MeetingService meetings, PrometheusRegistry registry, MeetingApi meetingApi) { this(meetings, registry, meetingApi, null); }

    /** filesApi: meeting files (recordings); null when the recorder is off (404). */
    public HttpApi(MeetingService meetings, PrometheusRegistry registry, MeetingApi meetingApi, FilesApi filesApi) {
        this.filesApi = filesApi;
        this.meetings = meetings;
        this.registry = registry;
        this.meetingApi = meetingApi;
        this.answerSeconds = io.prometheus.metrics.core.metrics.Histogram.builder().name("roundtable_whip_whep_answer_seconds")
                .help("Time from a WHIP or WHEP POST to its SDP answer (or refusal), by kind (whip, whep) and outcome (created, refused)")
                .labelNames("kind", "outcome").classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
                .register(registry);
    }

    @Override
    public boolean handle(Request req, Response res, Callback cb) throws Exception {
        String path = Request.getPathInContext(req);
        String method = req.getMethod();
        res.getHeaders().put("Access-Control-Allow-Origin", "*");
        res.getHeaders().put("Access-Control-Expose-Headers", "Location, ETag, Link, X-Roundtable-Participant");
        if (method.equals("OPTIONS")) {
            res.getHeaders().put("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS");
            res.getHeaders().put("Access-Control-Allow-Headers", "Content-Type, Authorization, If-Match");
            res.getHeaders().put("Accept-Post", "application/sdp");
            res.setStatus(204);
            cb.succeeded();
            return true;
        }
        java.util.regex.Matcher fm = FILES.matcher(path);
        if (fm.matches()) {
            if (filesApi == null) return text(res, cb, 404, "recording is not enabled on this server\n");
            return filesApi.handle(req, res, cb, fm.group(1), fm.group(2));
        }
        if (path.equals("/api/meetings") || path.startsWith("/api/meetings/")) return meetingApi.handle(req, res, cb, path);
        try {
            if (path.startsWith("/whip/")) return whip(req, res, cb, path.substring(6).split("/", -1));
            if (path.startsWith("/whep/")) return whep(req, res, cb, path.substring(6).split("/", -1));
            if (!method.equals("GET") && !method.equals("HEAD")) return text(res, cb, 405, "method not allowed\n");
            switch (path) {
                case "/", "/index.html": return asset(res, cb, "web/index.html", "text/html; charset=utf-8");
                case "/app.js": return asset(res, cb, "web/app.js", "text/javascript; charset=utf-8");
                case "/style.css": return asset(res, cb, "web/style.css", "text/css; charset=utf-8");
                case "/sdk/roundtable.js": return asset(res, cb, "web/roundtable.js", "text/javascript; charset=utf-8");
                case "/health": return text(res, cb, 200, "ok\n");
                case "/metrics": return metrics(res, cb);
                default: return text(res, cb, 404, "not found\n");
            }
        } catch (SignalingException e) {
            return text(res, cb, e.httpStatus, e.getMessage() + "\n");
        }
    }

    private boolean whip(Request req, Response res, Callback cb, String[] parts) throws Exception {
        if (req.getMethod().equals("POST") && parts.length == 1) return timed("whip", () -> {
            String sdp = readSdp(req);
            Fields q = Request.extractQueryParameters(req);
            String[] location = new String[1];
            Participant p = meetings.join(new MeetingService.JoinRequest(parts[0], q.getValue("name"), bearer(req), q.getValue("password"),
                    Request.getRemoteAddr(req)), Participant.Kind.WHIP, forgetOnEnd(location), null);
            location[0] = "/whip/" + parts[0] + "/" + p.id + "/" + secret();
            return created(res, cb, location[0], p.meetingId(), p, sdp);
        });
        return resource(req, res, cb, "/whip/" + String.join("/", parts));
    }

    private boolean whep(Request req, Response res, Callback cb, String[] parts) throws Exception {
        if (req.getMethod().equals("POST") && parts.length == 2) return timed("whep", () -> {
            String sdp = readSdp(req);
            Fields q = Request.extractQueryParameters(req);
            String[] location = new String[1];
            Participant p = meetings.join(new MeetingService.JoinRequest(parts[0], "WHEP viewer", bearer(req), q.getValue("password"),
                    Request.getRemoteAddr(req)), Participant.Kind.WHEP, forgetOnEnd(location), parts[1]);
            location[0] = "/whep/" + parts[0] + "/" + parts[1] + "/" + p.id + "/" + secret();
            return created(res, cb, location[0], p.meetingId(), p, sdp);
        });
        return resource(req, res, cb, "/whep/" + String.join("/", parts));
    }

    private interface Answer { boolean answer() throws Exception; }

    /** Runs a WHIP or WHEP POST and records how long its answer (or refusal: any exception) took. */
    private boolean timed(String kind, Answer a) throws Exception {
        long t0 = System.nanoTime();
        String outcome = "refused";
        try {
            boolean done = a.answer();
            outcome = "created";
            return done;
        } finally {
            answerSeconds.labelValues(kind, outcome).observe((System.nanoTime() - t0) / 1e9);
        }
    }

    private static final java.security.SecureRandom RND = new java.security.SecureRandom();

    /**
     * The last path segment of a WHIP/WHEP resource, after the participant id: 128 random bits. Only the
     * client that POSTed knows it, so only it can DELETE its session (participant ids are broadcast to members).
     */
    private static String secret() {
        byte[] b = new byte[16];
        RND.nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A WHIP/WHEP session's resource URL goes away when its participant does (ICE timeout, meeting ended), not only on DELETE. */
    private Participant.Client forgetOnEnd(String[] location) {
        return new Participant.Client() {
            @Override public void send(com.fasterxml.jackson.databind.node.ObjectNode message) { }
            @Override public void closed(String reason) { if (location[0] != null) resources.remove(location[0]); }
        };
    }

    /** Open WHIP/WHEP sessions (for tests and operators). */
    public int openResources() { return resources.size(); }

    private static String bearer(Request req) {
        String a = req.getHeaders().get(HttpHeader.AUTHORIZATION);
        return a != null && a.regionMatches(true, 0, "Bearer ", 0, 7) ? a.substring(7).trim() : null;
    }

    private boolean created(Response res, Callback cb, String location, String meeting, Participant p, String sdp) throws SignalingException {
        String answer;
        try {
            answer = meetings.offer(meeting, p, sdp);
        } catch (SignalingException e) {
            meetings.leave(meeting, p, "offer refused");
            throw e;
        }
        resources.put(location, new Object[] {meeting, p});
        res.setStatus(201);
        res.getHeaders().put(HttpHeader.LOCATION, location);
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/sdp");
        res.getHeaders().put(HttpHeader.ETAG, "\"" + p.id + "\"");
        res.getHeaders().put("X-Roundtable-Participant", p.id);
        res.write(true, ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)), cb);
        return true;
    }

    private boolean resource(Request req, Response res, Callback cb, String location) {
        Object[] r = resources.get(location);
        if (r == null) return text(res, cb, 404, "no such session\n");
        switch (req.getMethod()) {
            case "DELETE":
                resources.remove(location);
                meetings.leave((String) r[0], (Participant) r[1], "ended by client");
                res.setStatus(200);
                cb.succeeded();
                return true;
            case "PATCH":
                // Trickle ICE and ICE restarts are not supported: we are ICE-lite and all candidates are in the answer.
                return text(res, cb, 405, "trickle ICE is not supported; candidates are in the answer\n");
            default:
                return text(res, cb, 405, "method not allowed\n");
        }
    }

    private String readSdp(Request req) throws Exception {
        String ct = req.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (ct == null || !ct.toLowerCase().startsWith("application/sdp"))
            throw new SignalingException("bad_content_type", 415, "Content-Type must be application/sdp");
        return Bodies.read(req, MAX_SDP);
    }

    private boolean metrics(Response res, Callback cb) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        res.setStatus(200);
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, PrometheusTextFormatWriter.CONTENT_TYPE);
        res.write(true, ByteBuffer.wrap(out.toByteArray()), cb);
        return true;
    }

    private boolean asset(Response res, Callback cb, String name, String type) throws IOException {
        byte[] b = assets.get(name);
        if (b == null) {
            try (InputStream in = HttpApi.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) return text(res, cb, 404, "not found\n");
                b = in.readAllBytes();
            }
            assets.put(name, b);
        }
        res.setStatus(200);
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        res.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        res.write(true, ByteBuffer.wrap(b), cb);
        return true;
    }

    private static boolean text(Response res, Callback cb, int status, String body) {
        res.setStatus(status);
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), cb);
        return true;
    }
}
