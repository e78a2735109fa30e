package org.roundtable.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The load generator's signalling: WHIP and WHEP over HTTP, and the browsers' WebSocket protocol.
 * The same APIs real clients use. Thread-safe.
 */
public final class Signalling {
    static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public Signalling(String base) { this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base; }

    public record Session(String answer, String location) {}

    public Session whip(String meeting, String name, String offer) throws IOException, InterruptedException {
        return post("/whip/" + meeting + "?name=" + name, offer);
    }

    public Session whep(String meeting, String participant, String offer) throws IOException, InterruptedException {
        return post("/whep/" + meeting + "/" + participant, offer);
    }

    private Session post(String path, String sdp) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(sdp)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IOException("POST " + path + ": " + r.statusCode() + " " + r.body());
        return new Session(r.body(), r.headers().firstValue("Location").orElse(null));
    }

    public void delete(String location) {
        try {
            http.send(HttpRequest.newBuilder(URI.create(base + location)).timeout(Duration.ofSeconds(5)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        } catch (Exception ignored) { /* best effort at the end of a run */ }
    }

    public String metrics() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A member over the WebSocket protocol: join, offer/answer, events. */
    public Ws ws() throws Exception {
        Ws w = new Ws();
        w.socket = http.newWebSocketBuilder().buildAsync(URI.create(base.replaceFirst("^http", "ws") + "/ws"), w).get(10, TimeUnit.SECONDS);
        return w;
    }

    public static final class Ws implements WebSocket.Listener {
        WebSocket socket;
        private final StringBuilder part = new StringBuilder();
        private final AtomicInteger rid = new AtomicInteger();
        private final ConcurrentHashMap<Integer, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
        public volatile Consumer<JsonNode> onEvent = e -> {};

        public JsonNode request(ObjectNode msg) throws Exception {
            int id = rid.incrementAndGet();
            msg.put("rid", id);
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            waiting.put(id, f);
            synchronized (this) { socket.sendText(msg.toString(), true).get(10, TimeUnit.SECONDS); }
            JsonNode r = f.get(20, TimeUnit.SECONDS);
            if ("error".equals(r.path("type").asText())) throw new IOException(msg.path("type").asText() + ": " + r.path("message").asText());
            return r;
        }

        public static ObjectNode msg(String type) { ObjectNode o = JSON.createObjectNode(); o.put("type", type); return o; }

        @Override public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            part.append(data);
            if (last) {
                try {
                    JsonNode n = JSON.readTree(part.toString());
                    CompletableFuture<JsonNode> f = n.has("rid") ? waiting.remove(n.get("rid").asInt()) : null;
                    if (f != null) f.complete(n); else onEvent.accept(n);
                } catch (Exception ignored) { /* bad frame */ }
                part.setLength(0);
            }
            ws.request(1);
            return null;
        }

        public void close() { socket.abort(); }
    }
}
