package org.roundtable.signaling.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.roundtable.signaling.meeting.SignalingException;

/** JSON answers of the HTTP API: a body with a status, and an error as {code, message} (401 asks for a Bearer token). Any thread. */
final class Replies {
    private Replies() {}

    static boolean json(Response res, Callback cb, int status, JsonNode body) {
        res.setStatus(status);
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        res.write(true, ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)), cb);
        return true;
    }

    static boolean error(ObjectMapper mapper, Response res, Callback cb, SignalingException e) {
        ObjectNode o = mapper.createObjectNode();
        o.put("code", e.code);
        o.put("message", e.getMessage());
        if (e.httpStatus == 401) res.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        return json(res, cb, e.httpStatus, o);
    }
}
