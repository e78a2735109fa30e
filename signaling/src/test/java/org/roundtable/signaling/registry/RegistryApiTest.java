package org.roundtable.signaling.registry;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.WsClient;
import org.roundtable.signaling.auth.Jwt;

/** The meeting registry and the identity rules, over the real HTTP and WebSocket APIs. */
class RegistryApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    RoundtableServer server;

    static ServerConfig config(boolean open) {
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 2_500_000, false, 30_000, 10_000, 4);
        return new ServerConfig("127.0.0.1", 0, b, open, 100).withRegistry(new ServerConfig.Registry(
                "jdbc:h2:mem:reg" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "", "", 15, 5));
    }

    @BeforeEach void start() throws Exception { server = new RoundtableServer(config(false)).start(); }
    @AfterEach void stop() throws Exception { server.close(); }

    static String token(String user, String name, long expSeconds, String... perms) {
        StringBuilder p = new StringBuilder("[");
        for (int i = 0; i < perms.length; i++) p.append(i > 0 ? "," : "").append('"').append(perms[i]).append('"');
        return Jwt.signHs256(ServerConfig.TEST_SECRET, "{\"sub\":\"" + user + "\",\"name\":\"" + name + "\",\"exp\":"
                + (System.currentTimeMillis() / 1000 + expSeconds) + ",\"permissions\":" + p + "]}");
    }

    static final String ANN = token("ann", "Ann", 3600), BEN = token("ben", "Ben", 3600), EVE = token("eve", "Eve", 3600);

    HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path));
        if (token != null) r.header("Authorization", "Bearer " + token);
        if (body != null) r.header("Content-Type", "application/json");
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode ok(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static String iso(long ms) { return Instant.ofEpochMilli(ms).toString(); }

    @Test void createReadEditCancelList() throws Exception {
        long now = System.currentTimeMillis();
        JsonNode sched = ok(call("POST", "/api/meetings", ANN, "{\"type\":\"scheduled\",\"subject\":\"Planning\",\"start\":\"" + iso(now + 3_600_000)
                + "\",\"end\":\"" + iso(now + 7_200_000) + "\",\"members\":[\"ben\"],\"password\":\"tulip42\",\"liveStream\":true}"), 201);
        String id = sched.get("id").asText();
        assertTrue(sched.get("number").asText().matches("[1-9][0-9]{8}"), "a 9-digit meeting number");
        assertTrue(sched.get("hasPassword").asBoolean());
        assertFalse(sched.toString().contains("tulip42"), "the password is never returned");
        assertTrue(sched.get("liveStream").asBoolean());
        assertEquals(iso(now + 3_600_000 - 15 * 60_000), sched.get("earlyJoin").asText());
        assertEquals("Planning", ok(call("GET", "/api/meetings/" + id, BEN, null), 200).get("subject").asText(), "an invitee can read it");
        assertEquals(404, call("GET", "/api/meetings/" + id, EVE, null).statusCode(), "others cannot even see it");
        assertEquals(1, ok(call("GET", "/api/meetings", BEN, null), 200).get("meetings").size(), "the invitee's list");
        assertEquals(0, ok(call("GET", "/api/meetings", EVE, null), 200).get("meetings").size());
        assertEquals(403, call("PATCH", "/api/meetings/" + id, BEN, "{\"subject\":\"Mine now\"}").statusCode(), "only the creator edits");
        JsonNode edited = ok(call("PATCH", "/api/meetings/" + id, ANN, "{\"subject\":\"Q1 planning\",\"members\":[\"ben\",\"cy\"]}"), 200);
        assertEquals("Q1 planning", edited.get("subject").asText());
        assertEquals(2, edited.get("members").size());
        assertEquals("cancelled", ok(call("DELETE", "/api/meetings/" + id, ANN, null), 200).get("status").asText());
        assertEquals(409, call("PATCH", "/api/meetings/" + id, ANN, "{\"subject\":\"x\"}").statusCode(), "a cancelled meeting cannot be edited");

        // editing or cancelling stops at the early-join time
        JsonNode soon = ok(call("POST", "/api/meetings", ANN, "{\"type\":\"scheduled\",\"subject\":\"Soon\",\"start\":\"" + iso(now + 10 * 60_000)
                + "\",\"end\":\"" + iso(now + 40 * 60_000) + "\"}"), 201);
        JsonNode late = ok(call("DELETE", "/api/meetings/" + soon.get("id").asText(), ANN, null), 409);
        assertEquals("too_late", late.get("code").asText());

        // bad requests
        assertEquals(400, call("POST", "/api/meetings", ANN, "{\"type\":\"scheduled\",\"subject\":\"x\"}").statusCode(), "no times");
        assertEquals(400, call("POST", "/api/meetings", ANN, "{\"type\":\"scheduled\",\"subject\":\"x\",\"start\":\"tomorrow\",\"end\":\"later\"}").statusCode());
        assertEquals(400, call("POST", "/api/meetings", ANN, "{\"type\":\"scheduled\",\"subject\":\"x\",\"start\":\"" + iso(now + 7_200_000)
                + "\",\"end\":\"" + iso(now + 3_600_000) + "\"}").statusCode(), "end before start");
        assertEquals(400, call("POST", "/api/meetings", ANN, "[1,2]").statusCode());
        assertEquals(400, call("POST", "/api/meetings", ANN, "{\"type\":\"weekly\"}").statusCode());
        assertEquals(400, call("POST", "/api/meetings", ANN, "{\"password\":\"ab\"}").statusCode(), "password too short");
        assertEquals(400, call("POST", "/api/meetings", ANN, "{\"password\":\"12345\"}").statusCode(), "passwords have at least 6 characters");
    }

    /** The live stream's API is for the meeting's hosts; it runs only in a running meeting; its input is checked. */
    @Test void liveApiIsForHosts() throws Exception {
        long now = System.currentTimeMillis();
        String id = ok(call("POST", "/api/meetings", ANN, "{\"type\":\"scheduled\",\"subject\":\"Town hall\",\"start\":\"" + iso(now + 3_600_000)
                + "\",\"end\":\"" + iso(now + 7_200_000) + "\",\"members\":[\"ben\"],\"liveStream\":true}"), 201).get("id").asText();
        assertEquals("forbidden", ok(call("POST", "/api/meetings/" + id + "/live", BEN, null), 403).get("code").asText(), "an invitee is not a host");
        assertEquals(403, call("GET", "/api/meetings/" + id + "/live", EVE, null).statusCode(), "nor is a stranger");
        assertEquals(403, call("DELETE", "/api/meetings/" + id + "/live/link", EVE, null).statusCode());
        assertEquals(401, call("POST", "/api/meetings/" + id + "/live", null, null).statusCode());
        assertFalse(ok(call("GET", "/api/meetings/" + id + "/live", ANN, null), 200).get("on").asBoolean(), "not live before it starts");
        assertEquals("not_live", ok(call("POST", "/api/meetings/" + id + "/live", ANN, "{\"rtmp\":[\"rtmp://127.0.0.1/live/k\"]}"), 409).get("code").asText());
        assertEquals(400, call("POST", "/api/meetings/" + id + "/live", ANN, "{\"rtmp\":\"rtmp://x\"}").statusCode(), "rtmp is a list");
        assertEquals(405, call("PUT", "/api/meetings/" + id + "/live", ANN, null).statusCode());
        assertEquals(200, call("DELETE", "/api/meetings/" + id + "/live", ANN, null).statusCode(), "stopping what does not run is no error");
        assertEquals(404, call("GET", "/api/meetings/" + id + "/live/x", ANN, null).statusCode());
    }

    @Test void tokensAreChecked() throws Exception {
        assertEquals(401, call("GET", "/api/meetings", null, null).statusCode(), "no token");
        assertEquals(401, call("GET", "/api/meetings", "not.a.token", null).statusCode());
        assertEquals(401, call("GET", "/api/meetings", token("ann", "Ann", -120), null).statusCode(), "expired");
        assertEquals(401, call("GET", "/api/meetings", Jwt.signHs256("wrong-secret", "{\"sub\":\"ann\",\"exp\":9999999999}"), null).statusCode(), "forged");
    }

    JsonNode join(WsClient c, String meeting, String token, String password) throws Exception {
        StringBuilder m = new StringBuilder("{\"type\":\"join\",\"meeting\":\"" + meeting + "\",\"name\":\"Guest\"");
        if (token != null) m.append(",\"token\":\"").append(token).append('"');
        if (password != null) m.append(",\"password\":\"").append(password).append('"');
        return c.send(m.append('}').toString());
    }

    @Test void joinRules() throws Exception {
        long now = System.currentTimeMillis();
        JsonNode live = ok(call("POST", "/api/meetings", ANN, "{\"type\":\"instant\",\"subject\":\"Standup\",\"members\":[\"ben\"],\"password\":\"river77\"}"), 201);
        String id = live.get("id").asText(), number = live.get("number").asText();
        int port = server.httpPort();
        try (WsClient ben = WsClient.open(port); WsClient ann = WsClient.open(port); WsClient guest = WsClient.open(port);
             WsClient stranger = WsClient.open(port)) {
            JsonNode bj = join(ben, number, BEN, null);
            assertEquals("joined", bj.get("type").asText(), "an invitee joins by meeting number with a token: " + bj);
            assertEquals(id, bj.get("meeting").asText(), "the number resolves to the meeting");
            assertEquals("Ben", bj.path("members").get(0).get("name").asText(), "the name comes from the token");
            JsonNode aj = join(ann, id, ANN, null);
            assertEquals("host", aj.get("role").asText(), "the creator is host");
            assertEquals("joined", join(guest, id, null, "river77").get("type").asText(), "a guest joins with the password");
            // a wrong password and an unknown meeting look the same to an unauthenticated caller
            JsonNode wrong = join(stranger, id, null, "nope");
            JsonNode unknown = join(stranger, "987654321", null, "nope");
            assertEquals("denied", wrong.get("code").asText());
            assertEquals(wrong.get("code"), unknown.get("code"));
            assertEquals(wrong.get("message"), unknown.get("message"));
            JsonNode badToken = join(stranger, id, token("x", "X", -100), null);
            assertEquals("bad_token", badToken.get("code").asText());
        }

        // schedule and state rules for callers who proved access
        JsonNode later = ok(call("POST", "/api/meetings", ANN, "{\"type\":\"scheduled\",\"subject\":\"Review\",\"start\":\"" + iso(now + 3_600_000)
                + "\",\"end\":\"" + iso(now + 7_200_000) + "\",\"members\":[\"ben\"]}"), 201);
        JsonNode booking = ok(call("POST", "/api/meetings", ANN, "{\"type\":\"scheduled\",\"subject\":\"Room\",\"av\":false,\"start\":\"" + iso(now + 60_000)
                + "\",\"end\":\"" + iso(now + 3_600_000) + "\",\"members\":[\"ben\"]}"), 201);
        try (WsClient ben = WsClient.open(port)) {
            JsonNode early = join(ben, later.get("id").asText(), BEN, null);
            assertEquals("too_early", early.get("code").asText());
            assertTrue(early.get("message").asText().contains("opens at " + iso(now + 3_600_000 - 15 * 60_000).substring(0, 16)), early.toString());
            assertEquals("no_media", join(ben, booking.get("id").asText(), BEN, null).get("code").asText(), "a room booking has no media session");
            ok(call("DELETE", "/api/meetings/" + later.get("id").asText(), ANN, null), 200);
            assertEquals("meeting_cancelled", join(ben, later.get("id").asText(), BEN, null).get("code").asText());
            assertEquals("denied", join(ben, "no-such-meeting", BEN, null).get("code").asText(), "closed mode: no ad-hoc meetings");
        }
        // end for all marks it ended in the registry
        try (WsClient ann = WsClient.open(port); WsClient ben = WsClient.open(port)) {
            join(ann, id, ANN, null);
            String reply = ann.send("{\"type\":\"control\",\"action\":\"endForAll\"}").get("type").asText();
            assertTrue(reply.equals("ok") || reply.equals("left"), "ending closes the host's own session too: " + reply);
            assertEquals("ended", ok(call("GET", "/api/meetings/" + id, ANN, null), 200).get("status").asText());
            assertEquals("meeting_ended", join(ben, id, BEN, null).get("code").asText());
        }
    }

    @Test void bruteForceIsLockedOut() throws Exception {
        JsonNode m = ok(call("POST", "/api/meetings", ANN, "{\"type\":\"instant\",\"password\":\"correct-horse\"}"), 201);
        String id = m.get("id").asText();
        try (WsClient c = WsClient.open(server.httpPort())) {
            for (int i = 0; i < 5; i++) assertEquals("denied", join(c, id, null, "guess" + i).get("code").asText());
            JsonNode locked = join(c, id, null, "correct-horse");
            assertEquals("rate_limited", locked.get("code").asText(), "even the right password is refused during the lockout");
            assertTrue(locked.get("message").asText().contains("try again in"));
            assertEquals("rate_limited", join(c, "123456789", null, "x").get("code").asText(), "the source is locked out everywhere");
        }
        // the HTTP API counts bad tokens from a source too
        for (int i = 0; i < 5; i++) call("GET", "/api/meetings", "bad" + i + ".x.y", null);
        assertEquals(429, call("GET", "/api/meetings", ANN, null).statusCode());
    }

    @Test void remindersReachConnectedInvitees() throws Exception {
        long now = System.currentTimeMillis();
        ok(call("POST", "/api/meetings", ANN, "{\"type\":\"scheduled\",\"subject\":\"Retro\",\"start\":\"" + iso(now + 5 * 60_000 - 3000)
                + "\",\"end\":\"" + iso(now + 3_600_000) + "\",\"members\":[\"ben\"]}"), 201);
        try (WsClient ben = WsClient.open(server.httpPort()); WsClient eve = WsClient.open(server.httpPort())) {
            assertEquals("hello", ben.send("{\"type\":\"hello\",\"token\":\"" + BEN + "\"}").get("type").asText());
            eve.send("{\"type\":\"hello\",\"token\":\"" + EVE + "\"}");
            JsonNode r = ben.event("reminder", 6000);
            assertNotNull(r, "the invitee gets a reminder 5 minutes before");
            assertEquals("Retro", r.get("meeting").get("subject").asText());
            assertTrue(r.get("startsInSeconds").asInt() <= 300);
            assertNull(eve.event("reminder", 500), "people not invited get nothing");
        }
    }

    @Test void meetingsSurviveARestart() throws Exception {
        server.close();
        Path dir = Files.createTempDirectory("rt-db");
        ServerConfig cfg = config(false).withRegistry(new ServerConfig.Registry("jdbc:h2:file:" + dir.resolve("roundtable"), "", "", 15, 5));
        String id;
        server = new RoundtableServer(cfg).start();
        try {
            id = ok(call("POST", "/api/meetings", ANN, "{\"type\":\"instant\",\"subject\":\"Kept\",\"members\":[\"ben\"]}"), 201).get("id").asText();
        } finally {
            server.close();
        }
        server = new RoundtableServer(cfg).start();
        assertEquals("Kept", ok(call("GET", "/api/meetings/" + id, BEN, null), 200).get("subject").asText(), "the meeting is still there");
        try (WsClient ben = WsClient.open(server.httpPort())) {
            assertEquals("joined", join(ben, id, BEN, null).get("type").asText(), "and can be joined");
        }
    }
}
