package org.roundtable.signaling;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A signalling client for API tests: sends JSON, returns replies, keeps events aside. */
public final class WsClient implements WebSocket.Listener, AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> REPLIES = Set.of("joined", "lobby", "answer", "ok", "left", "pong", "error", "hello");
    final LinkedBlockingQueue<JsonNode> in = new LinkedBlockingQueue<>();
    final StringBuilder part = new StringBuilder();
    final List<JsonNode> events = new ArrayList<>();
    WebSocket ws;

    public static WsClient open(int port) throws Exception {
        WsClient w = new WsClient();
        w.ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), w).get(5, TimeUnit.SECONDS);
        return w;
    }

    @Override public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        part.append(data);
        if (last) {
            try { in.add(JSON.readTree(part.toString())); } catch (Exception e) { throw new RuntimeException(e); }
            part.setLength(0);
        }
        ws.request(1);
        return null;
    }

    /** Sends and returns the reply, keeping events that arrive in between. */
    public JsonNode send(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 50; i++) {
            JsonNode n = in.poll(10, TimeUnit.SECONDS);
            assertNotNull(n, "a reply to " + text);
            if (REPLIES.contains(n.path("type").asText())) return n;
            events.add(n);
        }
        throw new AssertionError("no reply");
    }

    /** The next event of a type (waiting up to timeoutMs), or null. */
    public JsonNode event(String type, long timeoutMs) throws Exception {
        for (JsonNode n : events) if (type.equals(n.path("type").asText())) { events.remove(n); return n; }
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            JsonNode n = in.poll(100, TimeUnit.MILLISECONDS);
            if (n == null) continue;
            if (type.equals(n.path("type").asText())) return n;
            events.add(n);
        }
        return null;
    }

    /** The close status the server sent, or -1 while open. */
    public volatile int closedWith = -1;

    @Override public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
        closedWith = status;
        return null;
    }

    /** Sends without waiting for a reply. */
    public void post(String text) throws Exception { ws.sendText(text, true).get(5, TimeUnit.SECONDS); }

    /**
     * Sends a message the server may refuse while it is still being written: the server's close frame
     * arrives first, the client answers it and closes its output, and the unfinished send fails with
     * "closed output". That failure is the refusal, so it is not an error here; {@link #closedWith} tells.
     */
    public void postRefusable(String text) throws Exception {
        try {
            ws.sendText(text, true).get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof java.io.IOException)) throw e;
        }
    }

    /** Every message received so far or within ms (events and replies), drained. */
    public List<JsonNode> drain(long ms) throws Exception {
        List<JsonNode> all = new ArrayList<>(events);
        events.clear();
        long end = System.currentTimeMillis() + ms;
        for (JsonNode n; (n = in.poll(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) != null; ) all.add(n);
        return all;
    }

    @Override public void close() { ws.abort(); }
}
