package org.roundtable.signaling.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.roundtable.signaling.meeting.MeetingService;
import org.roundtable.signaling.meeting.Participant;
import org.roundtable.signaling.meeting.SignalingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser's signalling session (the protocol in signaling/PROTOCOL.md). Jetty delivers this session's
 * messages one at a time, so its state needs no lock; sends may come from meeting threads too.
 * A bad message gets an 'error' reply and the session stays usable.
 */
public final class WsSession implements Session.Listener.AutoDemanding, Participant.Client {
    private static final Logger LOG = LoggerFactory.getLogger(WsSession.class);
    private final MeetingService meetings;
    private volatile Session session;
    private String meetingId;
    private volatile Participant self;
    private volatile boolean left;

    private final String source;
    private volatile String userId;

    public WsSession(MeetingService meetings, String source) {
        this.meetings = meetings;
        this.source = source == null ? "unknown" : source;
    }

    @Override public void onWebSocketOpen(Session s) { this.session = s; }

    /**
     * Messages a client may send: a bucket of {@link #BURST} refilled at {@link #PER_SECOND} a second (a
     * join with trickled candidates and renegotiations stays far below). Past it a message gets
     * rate_limited unread; a client with {@link #ABUSE} refused messages within 10 s is disconnected.
     */
    static final double PER_SECOND = 50, BURST = 200;
    static final int ABUSE = 300;
    private double tokens = BURST;
    private long lastRefillNanos = System.nanoTime(), windowStartNanos = lastRefillNanos;
    private int refusedInWindow;

    /** Whether this message may be handled now (Jetty delivers one message at a time per session). */
    private boolean admitMessage() {
        long now = System.nanoTime();
        tokens = Math.min(BURST, tokens + (now - lastRefillNanos) / 1e9 * PER_SECOND);
        lastRefillNanos = now;
        if (tokens >= 1) { tokens -= 1; return true; }
        meetings.wsMessageRefused();
        if (now - windowStartNanos > 10_000_000_000L) { windowStartNanos = now; refusedInWindow = 0; }
        if (++refusedInWindow == 1) error(null, null, "rate_limited", "too many messages: at most " + (int) PER_SECOND + " a second");
        if (refusedInWindow == ABUSE) {
            Session s = session;
            if (s != null) s.close(org.eclipse.jetty.websocket.api.StatusCode.POLICY_VIOLATION, "too many messages", org.eclipse.jetty.websocket.api.Callback.NOOP);
        }
        return false;
    }

    @Override public void onWebSocketText(String text) {
        if (!admitMessage()) return;
        JsonNode msg;
        try {
            msg = meetings.json().readTree(text);
        } catch (Exception e) {
            error(null, null, "bad_json", "message is not valid JSON");
            return;
        }
        if (msg == null || !msg.isObject() || !msg.path("type").isTextual()) {
            error(null, null, "bad_message", "message must be a JSON object with a string 'type'");
            return;
        }
        String type = msg.get("type").asText();
        JsonNode rid = msg.get("rid");
        try {
            switch (type) {
                case "join" -> join(msg, rid);
                case "hello" -> hello(msg, rid);
                case "offer" -> offer(msg, rid);
                case "candidate" -> { requireJoined(); reply(rid, "ok"); }
                case "media" -> media(msg, rid);
                case "share" -> share(msg, rid);
                case "control" -> control(msg, rid);
                case "live" -> live(msg, rid);
                case "leave" -> leave(msg, rid);
                case "ping" -> reply(rid, "pong");
                default -> throw new SignalingException("unknown_type", 400, "unknown message type '" + type + "'");
            }
        } catch (SignalingException e) {
            error(rid, type, e.code, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("signalling error on {}", type, e);
            error(rid, type, "internal", "internal error");
        }
    }

    private void requireJoined() throws SignalingException {
        if (self == null || left) throw new SignalingException("bad_state", 409, left ? "already left the meeting" : "join a meeting first");
    }

    private void join(JsonNode msg, JsonNode rid) throws SignalingException {
        if (self != null) throw new SignalingException("bad_state", 409, "already joined");
        if (!msg.path("meeting").isTextual()) throw new SignalingException("bad_message", 400, "'meeting' (string) is required");
        String mid = msg.get("meeting").asText();
        String name = msg.path("name").isTextual() ? msg.get("name").asText() : null;
        String token = msg.path("token").isTextual() ? msg.get("token").asText() : null;
        String password = msg.path("password").isTextual() ? msg.get("password").asText() : null;
        String codec = null;
        if (msg.hasNonNull("videoCodec")) {
            codec = msg.path("videoCodec").asText("");
            if (!codec.equals("h264") && !codec.equals("vp8")) throw new SignalingException("bad_message", 400, "'videoCodec' must be \"h264\" or \"vp8\"");
        }
        Participant p = meetings.join(new MeetingService.JoinRequest(mid, name, token, password, source), Participant.Kind.WEB, this, null);
        if (p.identity() != null) userId = p.identity().userId();
        meetingId = p.meetingId();
        self = p;
        p.preferVideo(codec);
        ObjectNode joined = meetings.joinedMessage(meetingId, p);
        if (rid != null) joined.set("rid", rid);
        send(joined);
        meetings.announceTracks(meetingId);
    }

    /** Identifies the session's user without joining (for reminders and, later, presence). */
    private void hello(JsonNode msg, JsonNode rid) throws SignalingException {
        if (!msg.path("token").isTextual()) throw new SignalingException("bad_message", 400, "'token' (string) is required");
        var who = meetings.authenticate(msg.get("token").asText(), source, null);
        if (userId != null && !userId.equals(who.userId())) meetings.unregisterSession(userId, this);
        userId = who.userId();
        meetings.registerSession(userId, this);
        ObjectNode o = meetings.event("hello");
        o.put("userId", who.userId());
        o.put("name", who.name());
        if (rid != null) o.set("rid", rid);
        send(o);
    }

    private void offer(JsonNode msg, JsonNode rid) throws SignalingException {
        requireJoined();
        if (!msg.path("sdp").isTextual()) throw new SignalingException("bad_message", 400, "'sdp' (string) is required");
        java.util.Set<String> content = new java.util.HashSet<>();
        JsonNode c = msg.get("content");
        if (c != null && !c.isNull()) {
            if (!c.isArray() || c.size() > 4) throw new SignalingException("bad_message", 400, "'content' must be an array of at most 4 mids");
            for (JsonNode x : c) {
                if (!x.isTextual()) throw new SignalingException("bad_message", 400, "'content' must list mids (strings)");
                content.add(x.asText());
            }
        }
        String answer = meetings.offer(meetingId, self, msg.get("sdp").asText(), content);
        ObjectNode a = meetings.event("answer");
        a.put("sdp", answer);
        if (rid != null) a.set("rid", rid);
        send(a);
    }

    private void media(JsonNode msg, JsonNode rid) throws SignalingException {
        requireJoined();
        String kind = msg.path("kind").asText("");
        if (!kind.equals("audio") && !kind.equals("video")) throw new SignalingException("bad_message", 400, "'kind' must be audio or video");
        if (!msg.path("enabled").isBoolean()) throw new SignalingException("bad_message", 400, "'enabled' (boolean) is required");
        meetings.setMedia(meetingId, self, kind, msg.get("enabled").asBoolean());
        reply(rid, "ok");
    }

    private void share(JsonNode msg, JsonNode rid) throws SignalingException {
        requireJoined();
        if (!msg.path("active").isBoolean()) throw new SignalingException("bad_message", 400, "'active' (boolean) is required");
        meetings.share(meetingId, self, msg.get("active").asBoolean());
        reply(rid, "ok");
    }

    private void control(JsonNode msg, JsonNode rid) throws SignalingException {
        requireJoined();
        if (!msg.path("action").isTextual()) throw new SignalingException("bad_message", 400, "'action' (string) is required");
        String target = msg.path("target").isTextual() ? msg.get("target").asText() : null;
        String role = msg.path("role").isTextual() ? msg.get("role").asText() : null;
        Boolean policy = msg.path("allowSelfUnmute").isBoolean() ? msg.get("allowSelfUnmute").asBoolean() : null;
        meetings.control(meetingId, self, msg.get("action").asText(), target, role, policy);
        reply(rid, "ok");
    }

    /** {type: live, action: start|stop|revoke, rtmp: [url...]} (hosts): the reply carries the stream's links and state. */
    private void live(JsonNode msg, JsonNode rid) throws SignalingException {
        requireJoined();
        String action = msg.path("action").asText("");
        java.util.List<String> rtmp = new java.util.ArrayList<>();
        JsonNode r = msg.path("rtmp");
        if (!r.isMissingNode() && !r.isNull()) {
            if (!r.isArray() || r.size() > 8) throw new SignalingException("bad_message", 400, "'rtmp' must be a list of at most 8 rtmp:// or rtmps:// URLs");
            for (JsonNode u : r) {
                if (!u.isTextual()) throw new SignalingException("bad_message", 400, "'rtmp' must be a list of URLs");
                rtmp.add(u.asText());
            }
        }
        ObjectNode o = meetings.live(meetingId, self, action, rtmp);
        o.put("type", "live");
        if (rid != null) o.set("rid", rid);
        send(o);
    }

    private void leave(JsonNode msg, JsonNode rid) throws SignalingException {
        requireJoined();
        left = true;
        String transferTo = msg.path("transferTo").isTextual() ? msg.get("transferTo").asText() : null;
        meetings.leave(meetingId, self, "left", transferTo);
        reply(rid, "left");
    }

    private void reply(JsonNode rid, String type) {
        ObjectNode o = meetings.event(type);
        if (rid != null) o.set("rid", rid);
        send(o);
    }

    private void error(JsonNode rid, String re, String code, String message) {
        ObjectNode o = meetings.event("error");
        o.put("code", code);
        o.put("message", message);
        if (re != null) o.put("re", re);
        if (rid != null) o.set("rid", rid);
        send(o);
    }

    @Override public void send(ObjectNode message) {
        Session s = session;
        if (s == null || !s.isOpen()) return;
        s.sendText(message.toString(), Callback.NOOP);
    }

    @Override public void closed(String reason) {
        if (!left) {
            left = true;
            ObjectNode o = meetings.event("left");
            o.put("reason", reason);
            send(o);
        }
    }

    @Override public void onWebSocketClose(int status, String reason) {
        meetings.unregisterSession(userId, this);
        if (self != null && !left) {
            left = true;
            meetings.leave(meetingId, self, "connection closed");
        }
    }

    @Override public void onWebSocketError(Throwable cause) {
        LOG.debug("websocket error: {}", cause.toString());
    }
}
