package org.roundtable.signaling.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.meeting.MeetingService;
import org.roundtable.signaling.meeting.SignalingException;
import org.roundtable.signaling.registry.MeetingRecord;
import org.roundtable.signaling.registry.MeetingRegistry;
import org.roundtable.signaling.registry.MeetingSpec;

/**
 * The meeting registry over HTTP ({@code /api/meetings}, described in signaling/openapi.yaml). Every call
 * needs {@code Authorization: Bearer <token>}. Errors are JSON {@code {code, message}}.
 * Thread: Jetty's request threads.
 */
public final class MeetingApi {
    private final MeetingService meetings;
    private final MeetingRegistry registry;

    public MeetingApi(MeetingService meetings) {
        this.meetings = meetings;
        this.registry = meetings.registry();
    }

    public boolean handle(Request req, Response res, Callback cb, String path) {
        try {
            String auth = req.getHeaders().get(HttpHeader.AUTHORIZATION);
            if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7))
                throw new SignalingException("unauthorized", 401, "an 'Authorization: Bearer <token>' header is required");
            Identity who = meetings.authenticate(auth.substring(7).trim(), Request.getRemoteAddr(req), null);
            String rest = path.substring("/api/meetings".length());
            String method = req.getMethod();
            if (rest.isEmpty() || rest.equals("/")) {
                if (method.equals("POST")) {
                    MeetingRecord m = registry.create(who, spec(body(req)));
                    res.getHeaders().put(HttpHeader.LOCATION, "/api/meetings/" + m.id());
                    return json(res, cb, 201, view(m));
                }
                if (method.equals("GET")) {
                    ObjectNode o = meetings.json().createObjectNode();
                    ArrayNode a = o.putArray("meetings");
                    for (MeetingRecord m : registry.list(who)) a.add(view(m));
                    return json(res, cb, 200, o);
                }
                throw new SignalingException("method_not_allowed", 405, "use GET or POST");
            }
            String id = rest.substring(1);
            if (id.endsWith("/recording") && id.indexOf('/') == id.length() - "/recording".length()) {
                String mid = id.substring(0, id.indexOf('/'));
                boolean on = switch (method) {
                    case "POST" -> true;
                    case "DELETE" -> false;
                    default -> throw new SignalingException("method_not_allowed", 405, "POST starts the recording, DELETE stops it");
                };
                org.roundtable.recorder.Recording r = meetings.recordFromApi(mid, who, on);
                ObjectNode o = meetings.json().createObjectNode();
                o.put("recording", on);
                if (r != null) {
                    o.put("id", r.id());
                    o.put("state", r.state());
                    if (r.durationMs() != null && !on) o.put("durationMs", r.durationMs());
                }
                return json(res, cb, on ? 201 : 200, o);
            }
            if (id.endsWith("/live") || id.endsWith("/live/link")) {
                // GET: the host's view; POST {rtmp: [url...]}: start (or add pushes); DELETE: stop; DELETE .../live/link: a new link
                boolean link = id.endsWith("/live/link");
                String mid = id.substring(0, id.indexOf('/'));
                if (mid.isEmpty() || id.indexOf('/') != id.length() - (link ? "/live/link" : "/live").length())
                    throw new SignalingException("not_found", 404, "no such meeting");
                String action = link ? (method.equals("DELETE") ? "revoke" : null) : switch (method) {
                    case "GET" -> "status";
                    case "POST" -> "start";
                    case "DELETE" -> "stop";
                    default -> null;
                };
                if (action == null) throw new SignalingException("method_not_allowed", 405,
                        link ? "DELETE revokes the live link" : "GET shows the live stream, POST starts it, DELETE stops it");
                List<String> rtmp = new java.util.ArrayList<>();
                if (action.equals("start") && req.getHeaders().get(HttpHeader.CONTENT_TYPE) != null) {
                    JsonNode r = body(req).path("rtmp");
                    if (!r.isMissingNode() && !r.isNull()) {
                        if (!r.isArray() || r.size() > 8) throw new SignalingException("bad_request", 400, "'rtmp' must be a list of at most 8 URLs");
                        for (JsonNode u : r) {
                            if (!u.isTextual()) throw new SignalingException("bad_request", 400, "'rtmp' must be a list of URLs");
                            rtmp.add(u.asText());
                        }
                    }
                }
                ObjectNode o = meetings.liveFromApi(mid, who, action, rtmp);
                absolute(req, o);
                return json(res, cb, action.equals("start") ? 201 : 200, o);
            }
            if (id.contains("/") || id.isEmpty() || id.length() > 32) throw new SignalingException("not_found", 404, "no such meeting");
            return switch (method) {
                case "GET" -> json(res, cb, 200, view(registry.visible(who, id)));
                case "PATCH" -> json(res, cb, 200, view(registry.edit(who, id, spec(body(req)))));
                case "DELETE" -> json(res, cb, 200, view(registry.cancel(who, id)));
                default -> throw new SignalingException("method_not_allowed", 405, "use GET, PATCH or DELETE");
            };
        } catch (SignalingException e) {
            return Replies.error(meetings.json(), res, cb, e);
        } catch (RuntimeException e) {
            ObjectNode o = meetings.json().createObjectNode();
            o.put("code", "internal");
            o.put("message", "internal error");
            return json(res, cb, 500, o);
        }
    }

    /** The live links as absolute URLs, as this request reached the server. */
    private static void absolute(Request req, ObjectNode o) {
        String host = req.getHeaders().get(HttpHeader.HOST);
        if (host == null) return;
        String origin = (req.isSecure() ? "https" : "http") + "://" + host;
        for (String k : new String[] {"link", "hls", "qr"}) if (o.path(k).isTextual()) o.put(k, origin + o.get(k).asText());
    }

    private JsonNode body(Request req) throws SignalingException {
        String ct = req.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (ct == null || !ct.toLowerCase().startsWith("application/json")) throw new SignalingException("bad_content_type", 415, "Content-Type must be application/json");
        try {
            String s = Bodies.read(req, 64 * 1024);
            JsonNode n = meetings.json().readTree(s);
            if (n == null || !n.isObject()) throw new SignalingException("bad_request", 400, "the body must be a JSON object");
            return n;
        } catch (SignalingException e) {
            throw e;
        } catch (Exception e) {
            throw new SignalingException("bad_request", 400, "the body is not valid JSON");
        }
    }

    /** An array of user ids, or null when the field is absent. */
    private static List<String> userIds(JsonNode b, String field) throws SignalingException {
        if (!b.has(field)) return null;
        if (!b.get(field).isArray()) throw new SignalingException("bad_request", 400, "'" + field + "' must be an array of user ids");
        List<String> ids = new ArrayList<>();
        for (JsonNode m : b.get(field)) {
            if (!m.isTextual()) throw new SignalingException("bad_request", 400, "'" + field + "' must be an array of user ids");
            ids.add(m.asText());
        }
        return ids;
    }

    private static MeetingSpec spec(JsonNode b) throws SignalingException {
        List<String> members = userIds(b, "members"), hosts = userIds(b, "hosts");
        return new MeetingSpec(text(b, "type"), text(b, "subject"), time(b, "start"), time(b, "end"), members, text(b, "password"),
                bool(b, "av"), bool(b, "liveStream"), hosts);
    }

    private static String text(JsonNode b, String f) throws SignalingException {
        if (!b.has(f) || b.get(f).isNull()) return null;
        if (!b.get(f).isTextual()) throw new SignalingException("bad_request", 400, "'" + f + "' must be a string");
        return b.get(f).asText();
    }

    private static Boolean bool(JsonNode b, String f) throws SignalingException {
        if (!b.has(f) || b.get(f).isNull()) return null;
        if (!b.get(f).isBoolean()) throw new SignalingException("bad_request", 400, "'" + f + "' must be true or false");
        return b.get(f).asBoolean();
    }

    private static Long time(JsonNode b, String f) throws SignalingException {
        String s = text(b, f);
        if (s == null) return null;
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new SignalingException("bad_request", 400, "'" + f + "' must be an ISO-8601 instant such as 2026-12-01T09:00:00Z");
        }
    }

    private ObjectNode view(MeetingRecord m) {
        ObjectNode o = meetings.json().createObjectNode();
        o.put("id", m.id());
        o.put("number", m.number());
        o.put("type", m.kind());
        o.put("subject", m.subject());
        o.put("owner", m.ownerId());
        o.put("start", Instant.ofEpochMilli(m.startMs()).toString());
        if (m.endMs() == null) o.putNull("end"); else o.put("end", Instant.ofEpochMilli(m.endMs()).toString());
        o.put("earlyJoin", Instant.ofEpochMilli(m.startMs() - registry.earlyJoinMs()).toString());
        ArrayNode mem = o.putArray("members");
        m.members().forEach(mem::add);
        ArrayNode hosts = o.putArray("hosts");
        m.hosts().forEach(hosts::add);
        o.put("hasPassword", m.passwordHash() != null);
        o.put("av", m.avEnabled());
        o.put("liveStream", m.liveStream());
        o.put("status", m.status());
        o.put("joinPath", "/?meeting=" + m.id());
        return o;
    }

    private static boolean json(Response res, Callback cb, int status, com.fasterxml.jackson.databind.JsonNode body) {
        return Replies.json(res, cb, status, body);
    }
}
