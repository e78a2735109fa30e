package org.roundtable.signaling.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.client.MediaClient;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.WsClient;

/**
 * The meeting rules played against by a hostile caller (issue 11): a guest who comes first with the password
 * is not host, strangers guessing passwords cannot lock invitees out, and WHEP goes through the same
 * admission as members (password, lock, removal) and is listed, removable, and ended only by its owner.
 */
class MeetingAttackTest {
    RoundtableServer server;
    final RegistryApiTest api = new RegistryApiTest();

    @BeforeEach void start() throws Exception { server = new RoundtableServer(RegistryApiTest.config(false)).start(); api.server = server; }
    @AfterEach void stop() throws Exception { server.close(); }

    String meeting(String password) throws Exception {
        return api.ok(api.call("POST", "/api/meetings", RegistryApiTest.ANN, "{\"type\":\"instant\",\"subject\":\"Board\",\"members\":[\"ben\"]"
                + (password == null ? "" : ",\"password\":\"" + password + "\"") + "}"), 201).get("id").asText();
    }

    JsonNode control(WsClient c, String action, String target) throws Exception {
        return c.send("{\"type\":\"control\",\"action\":\"" + action + "\"" + (target == null ? "" : ",\"target\":\"" + target + "\"") + "}");
    }

    @Test void aPasswordMakesAGuestWhoeverComesFirst() throws Exception {
        String id = meeting("river77");
        int port = server.httpPort();
        try (WsClient guest = WsClient.open(port); WsClient ann = WsClient.open(port); WsClient ben = WsClient.open(port);
             WsClient chief = WsClient.open(port)) {
            JsonNode gj = api.join(guest, id, null, "river77");
            assertEquals("guest", gj.get("role").asText(), "first to arrive with the password, still a guest: " + gj);
            assertEquals("forbidden", control(guest, "endForAll", null).get("code").asText(), "a guest cannot end the meeting");
            assertEquals("forbidden", control(guest, "muteAll", null).get("code").asText());
            assertEquals("forbidden", control(guest, "lock", null).get("code").asText());
            assertEquals("guest", api.join(ben, id, RegistryApiTest.BEN, null).get("role").asText(), "an invitee without a host grant is a guest");
            assertEquals("host", api.join(ann, id, RegistryApiTest.ANN, null).get("role").asText(), "the owner is host");
            assertEquals("host", api.join(chief, id, RegistryApiTest.token("cy", "Cy", 3600, "host"), "river77").get("role").asText(),
                    "a token's host grant makes a host");
            // the hosts leave: nobody inherits host by having been there longest
            assertEquals("left", ann.send("{\"type\":\"leave\"}").get("type").asText());
            assertEquals("left", chief.send("{\"type\":\"leave\"}").get("type").asText());
            Thread.sleep(300);
            JsonNode update = guest.event("participantUpdated", 500);
            assertTrue(update == null || !"host".equals(update.path("participant").path("role").asText()), "the guest did not become host: " + update);
            assertEquals("forbidden", control(guest, "endForAll", null).get("code").asText(), "still no ending for the guest");
            assertEquals("forbidden", control(ben, "endForAll", null).get("code").asText(), "nor for the invitee");
        }
    }

    @Test void invitesMarkedAsHostsAreHostsAndOnlyInvitees() throws Exception {
        String id = api.ok(api.call("POST", "/api/meetings", RegistryApiTest.ANN, "{\"type\":\"instant\",\"members\":[\"ben\",\"eve\"],"
                + "\"hosts\":[\"ben\"]}"), 201).get("id").asText();
        assertEquals("ben", api.ok(api.call("GET", "/api/meetings/" + id, RegistryApiTest.BEN, null), 200).get("hosts").get(0).asText());
        assertEquals(400, api.call("POST", "/api/meetings", RegistryApiTest.ANN, "{\"type\":\"instant\",\"members\":[\"ben\"],\"hosts\":[\"mallory\"]}")
                .statusCode(), "a host must be invited");
        try (WsClient eve = WsClient.open(server.httpPort()); WsClient ben = WsClient.open(server.httpPort())) {
            assertEquals("guest", api.join(eve, id, RegistryApiTest.EVE, null).get("role").asText(), "an invitee, first to arrive, is a guest");
            assertEquals("host", api.join(ben, id, RegistryApiTest.BEN, null).get("role").asText(), "the co-host is host");
        }
    }

    @Test void strangersGuessingPasswordsCannotLockInviteesOut() throws Exception {
        String id = meeting("correct-horse");
        // strangers from 25 addresses (5 failures each would lock a source; 20 lock the meeting key)
        for (int i = 0; i < 25; i++) {
            try {
                server.meetings.join(new org.roundtable.signaling.meeting.MeetingService.JoinRequest(id, "S", null, "guess" + i, "198.51.100." + i),
                        org.roundtable.signaling.meeting.Participant.Kind.WEB, msg -> { }, null);
                throw new AssertionError("a wrong password joined");
            } catch (org.roundtable.signaling.meeting.SignalingException e) {
                assertTrue(e.code.equals("denied") || e.code.equals("rate_limited"), e.code);
            }
        }
        try (WsClient stranger = WsClient.open(server.httpPort()); WsClient ben = WsClient.open(server.httpPort())) {
            assertEquals("rate_limited", api.join(stranger, id, null, "correct-horse").get("code").asText(), "the meeting key is locked for passwords");
            JsonNode bj = api.join(ben, id, RegistryApiTest.BEN, null);
            assertEquals("joined", bj.get("type").asText(), "the invitee's valid token gets in despite the lockout: " + bj);
        }
    }

    HttpResponse<String> whep(String meeting, String member, String password, String sdp) throws Exception {
        String q = password == null ? "" : "?password=" + password;
        return RegistryApiTest.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/whep/" + meeting + "/" + member + q))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(sdp)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test void whepPassesTheSameAdmissionAndIsListedRemovableAndOwned() throws Exception {
        String id = meeting("river77");
        DtlsCertificate cert = DtlsCertificate.generate();
        try (WsClient ann = WsClient.open(server.httpPort()); MediaClient viewer = new MediaClient(cert, false)) {
            JsonNode aj = api.join(ann, id, RegistryApiTest.ANN, null);
            String annId = aj.get("participantId").asText();
            String offer = viewer.offer(0, 0, 0, 1, 1);
            assertEquals(403, whep(id, annId, null, offer).statusCode(), "no password, no viewing");
            assertEquals(403, whep(id, annId, "wrong1", offer).statusCode(), "wrong password");
            HttpResponse<String> ok = whep(id, annId, "river77", offer);
            assertEquals(201, ok.statusCode(), ok.body());
            String location = ok.headers().firstValue("Location").orElseThrow();
            JsonNode joined = ann.event("participantJoined", 3000);
            assertNotNull(joined, "the host sees the viewer");
            assertEquals("whep", joined.get("participant").get("kind").asText());
            String viewerId = joined.get("participant").get("id").asText();
            assertTrue(location.startsWith("/whep/" + id + "/" + annId + "/" + viewerId + "/") && location.length() > 60,
                    "the resource URL ends in a secret after the broadcast ids: " + location);
            // someone who knows the viewer's id (every member does) cannot end its session
            for (String guess : new String[] {"/whep/" + id + "/" + annId + "/" + viewerId, "/whep/" + id + "/" + annId + "/" + viewerId + "/x"}) {
                HttpResponse<String> forged = RegistryApiTest.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                        + guess)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(404, forged.statusCode(), guess);
            }
            // locked: a new viewer is refused (it cannot wait in a lobby)
            assertEquals("ok", control(ann, "lock", null).get("type").asText());
            try (MediaClient other = new MediaClient(cert, false)) {
                HttpResponse<String> locked = whep(id, annId, "river77", other.offer(0, 0, 0, 1, 1));
                assertEquals(403, locked.statusCode());
                assertTrue(locked.body().contains("locked"), locked.body());
            }
            assertEquals("ok", control(ann, "unlock", null).get("type").asText());
            // the host removes the viewer; it cannot come back by WHEP
            assertEquals("ok", control(ann, "remove", viewerId).get("type").asText());
            assertEquals(viewerId, ann.event("participantLeft", 3000).get("participantId").asText());
            try (MediaClient again = new MediaClient(cert, false)) {
                HttpResponse<String> back = whep(id, annId, "river77", again.offer(0, 0, 0, 1, 1));
                assertEquals(403, back.statusCode(), "a removed viewer stays out: " + back.body());
                assertTrue(back.body().contains("removed"), back.body());
            }
            assertNotEquals(200, RegistryApiTest.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + location))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "the removed session's resource is gone");
        }
    }
}
