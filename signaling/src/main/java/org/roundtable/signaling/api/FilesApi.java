package org.roundtable.signaling.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.roundtable.recorder.Recording;
import org.roundtable.recorder.RecordingService;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.meeting.MeetingService;
import org.roundtable.signaling.meeting.SignalingException;
import org.roundtable.signaling.registry.MeetingRecord;

/**
 * Meeting files (recordings) over HTTP: {@code GET /api/meetings/{id}/files} lists a meeting's files for
 * whoever may have them (the member who started the recording, the meeting's creator and its hosts; a
 * token is required), each with a download link signed for an hour; {@code GET
 * /api/meetings/{id}/files/{file}} downloads, with the Bearer token or the link's signature, and serves
 * HTTP Range requests (206) so players seek. Everyone else gets 403. Thread: Jetty's request threads.
 */
public final class FilesApi {
    private static final long LINK_MS = 3_600_000;
    private final MeetingService meetings;
    private final RecordingService recordings;
    private final Clock clock;
    private final byte[] linkKey = new byte[32];

    public FilesApi(MeetingService meetings, RecordingService recordings, Clock clock) {
        this.meetings = meetings;
        this.recordings = recordings;
        this.clock = clock;
        new SecureRandom().nextBytes(linkKey);
    }

    /** path: /api/meetings/{id}/files[/{file}]. */
    public boolean handle(Request req, Response res, Callback cb, String meetingKey, String fileId) {
        try {
            String method = req.getMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) throw new SignalingException("method_not_allowed", 405, "use GET");
            MeetingRecord rec = meetings.registry().find(meetingKey).orElse(null);
            String meetingId = rec != null ? rec.id() : meetingKey;
            if (fileId == null) return list(req, res, cb, who(req, true), rec, meetingId);
            Recording r = recordings.find(fileId).filter(x -> x.meetingId().equals(meetingId))
                    .orElseThrow(() -> new SignalingException("not_found", 404, "no such file"));
            Fields q = Request.extractQueryParameters(req);
            boolean signed = q.getValue("sig") != null && validLink(r.id(), q.getValue("exp"), q.getValue("sig"));
            if (!signed && !mayHave(who(req, true), rec, r)) throw new SignalingException("forbidden", 403, "only the meeting's hosts and the member who recorded it can download it");
            return download(req, res, cb, r);
        } catch (SignalingException e) {
            return Replies.error(meetings.json(), res, cb, e);
        }
    }

    private Identity who(Request req, boolean required) throws SignalingException {
        String auth = req.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            if (!required) return null;
            throw new SignalingException("unauthorized", 401, "an 'Authorization: Bearer <token>' header is required");
        }
        return meetings.authenticate(auth.substring(7).trim(), Request.getRemoteAddr(req), null);
    }

    /** The member who started it, the registry meeting's creator and co-hosts, or a token with the recordings permission. */
    private static boolean mayHave(Identity who, MeetingRecord rec, Recording r) {
        if (who == null || who.userId() == null) return false;
        if (who.userId().equals(r.creatorId())) return true;
        if (rec != null && rec.hostedBy(who.userId())) return true;
        return who.can("recordings");
    }

    private boolean list(Request req, Response res, Callback cb, Identity who, MeetingRecord rec, String meetingId) throws SignalingException {
        List<Recording> all = recordings.files(meetingId);
        ObjectNode o = meetings.json().createObjectNode();
        o.put("meeting", meetingId);
        ArrayNode a = o.putArray("files");
        boolean any = false;
        for (Recording r : all) {
            if (!mayHave(who, rec, r)) continue;
            any = true;
            ObjectNode f = a.addObject();
            f.put("id", r.id());
            f.put("kind", r.kind());
            f.put("mime", r.mime());
            f.put("name", Path.of(r.file()).getFileName().toString());
            f.put("state", r.state());
            f.put("started", Instant.ofEpochMilli(r.startedMs()).toString());
            if (r.stoppedMs() != null) f.put("stopped", Instant.ofEpochMilli(r.stoppedMs()).toString());
            if (r.durationMs() != null) f.put("durationMs", r.durationMs());
            if (r.bytes() != null) f.put("bytes", r.bytes());
            if (r.creatorName() != null) f.put("recordedBy", r.creatorName());
            if (r.reason() != null) f.put("reason", r.reason());
            String base = "/api/meetings/" + meetingId + "/files/" + r.id();
            f.put("url", base);
            long exp = clock.millis() + LINK_MS;
            f.put("download", base + "?exp=" + exp + "&sig=" + sign(r.id(), exp));
        }
        if (!any && !all.isEmpty()) throw new SignalingException("forbidden", 403, "only the meeting's hosts and the member who recorded it can see its files");
        return json(res, cb, 200, o);
    }

    private boolean download(Request req, Response res, Callback cb, Recording r) throws SignalingException {
        Path f = recordings.fileOf(r);
        long size;
        try { size = Files.size(f); } catch (java.io.IOException e) { throw new SignalingException("gone", 410, "the file is no longer there"); }
        long start = 0, end = size - 1;
        String range = req.getHeaders().get(HttpHeader.RANGE);
        boolean partial = false;
        if (range != null && range.startsWith("bytes=") && !range.contains(",")) {
            long[] se = parseRange(range.substring(6).trim(), size);
            if (se == null) {
                res.setStatus(416);
                res.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
                cb.succeeded();
                return true;
            }
            start = se[0];
            end = se[1];
            partial = true;
        }
        long len = end - start + 1;
        res.setStatus(partial ? 206 : 200);
        res.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, r.mime());
        res.getHeaders().put(HttpHeader.CONTENT_LENGTH, len);
        res.getHeaders().put(HttpHeader.CACHE_CONTROL, "private, no-store");
        res.getHeaders().put("Content-Disposition", "attachment; filename=\"" + Path.of(r.file()).getFileName() + "\"");
        if (partial) res.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes " + start + "-" + end + "/" + size);
        if (req.getMethod().equals("HEAD") || len == 0) { cb.succeeded(); return true; }
        Content.copy(Content.Source.from(f, start, len), res, cb);
        return true;
    }

    /** One range of RFC 9110 14.1.2 (a-b, a-, -n), clipped to the file; null when unsatisfiable. */
    static long[] parseRange(String s, long size) {
        int dash = s.indexOf('-');
        if (dash < 0 || size == 0) return null;
        try {
            String a = s.substring(0, dash).trim(), b = s.substring(dash + 1).trim();
            if (a.isEmpty()) {
                long n = Long.parseLong(b);
                if (n <= 0) return null;
                return new long[] {Math.max(0, size - n), size - 1};
            }
            long start = Long.parseLong(a);
            long end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (start < 0 || start >= size || end < start) return null;
            return new long[] {start, end};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private String sign(String fileId, long exp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(linkKey, "HmacSHA256"));
            byte[] h = mac.doFinal((fileId + "\n" + exp).getBytes(StandardCharsets.UTF_8));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(h);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean validLink(String fileId, String exp, String sig) {
        long e;
        try { e = Long.parseLong(exp); } catch (NumberFormatException x) { return false; }
        if (clock.millis() > e) return false;
        return MessageDigest.isEqual(sign(fileId, e).getBytes(StandardCharsets.UTF_8), sig.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean json(Response res, Callback cb, int status, com.fasterxml.jackson.databind.JsonNode body) {
        return Replies.json(res, cb, status, body);
    }
}
