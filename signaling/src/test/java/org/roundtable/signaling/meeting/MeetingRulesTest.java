package org.roundtable.signaling.meeting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.auth.AttemptLimiter;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.auth.Jwt;
import org.roundtable.signaling.registry.JdbcMeetingRepository;
import org.roundtable.signaling.registry.MeetingRecord;
import org.roundtable.signaling.registry.MeetingRegistry;
import org.roundtable.signaling.registry.MeetingSpec;
import org.roundtable.signaling.testing.FakeTime;

/**
 * The meeting rules as components on simulated time: early join, the 5-minute reminder, the memory of a
 * meeting a host ended, password lockouts (and the invitee they must not lock out), host by grant not by
 * arrival, the lobby. The media plane is the bridge itself, not started: conferences and endpoints exist,
 * no socket is opened and no packet is sent. Meeting tasks run at once on the test's thread and every
 * timer fires only when the test advances the clock, so a 10-minute rule takes microseconds.
 */
class MeetingRulesTest {
    static final long T0 = 1_900_000_000_000L;   // 2030-03-17, far from any real clock
    FakeTime time;
    Bridge bridge;
    MeetingService meetings;
    MeetingRegistry registry;

    static final class Client implements Participant.Client {
        final List<ObjectNode> events = new ArrayList<>();
        String closed;
        @Override public void send(ObjectNode m) { events.add(m); }
        @Override public void closed(String reason) { closed = reason; }
        List<ObjectNode> of(String type) { return events.stream().filter(e -> type.equals(e.path("type").asText())).toList(); }
    }

    @BeforeEach void start() {
        time = new FakeTime(T0);
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 2_500_000, false, 30_000, 10_000, 1);
        ServerConfig cfg = new ServerConfig("127.0.0.1", 0, b, false, 4).withRegistry(new ServerConfig.Registry(
                "jdbc:h2:mem:rules" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "", "", 15, 5));
        bridge = new Bridge(b, new BridgeMetrics(new io.prometheus.metrics.model.registry.PrometheusRegistry()));
        registry = new MeetingRegistry(new JdbcMeetingRepository(cfg.registry().dbUrl(), "", ""), cfg.registry(), time.clock());
        Jwt jwt = new Jwt(List.of(ServerConfig.TEST_SECRET), List.of(), "", "", 30, time.clock());
        meetings = new MeetingService(bridge, cfg, registry, jwt, new AttemptLimiter(time.clock(), 3, 4, 60_000, 300_000),
                MeetingTime.of(time.clock(), time, time));
    }

    @AfterEach void stop() throws Exception {
        meetings.close();
        bridge.close();
        registry.close();
    }

    String token(String user, String name, String... perms) {
        StringBuilder p = new StringBuilder("[");
        for (int i = 0; i < perms.length; i++) p.append(i > 0 ? "," : "").append('"').append(perms[i]).append('"');
        return Jwt.signHs256(ServerConfig.TEST_SECRET, "{\"sub\":\"" + user + "\",\"name\":\"" + name + "\",\"exp\":"
                + (time.nowMs() / 1000 + 86_400) + ",\"permissions\":" + p + "]}");
    }

    static Identity user(String id) { return new Identity(id, id, Set.of()); }

    Participant join(String meeting, String token, String password, String source, Client c) throws SignalingException {
        return meetings.join(new MeetingService.JoinRequest(meeting, "Someone", token, password, source), Participant.Kind.WEB, c, null);
    }

    SignalingException refused(String meeting, String token, String password, String source) {
        return assertThrows(SignalingException.class, () -> join(meeting, token, password, source, new Client()));
    }

    @Test void aScheduledMeetingOpensAtItsEarlyJoinTimeAndRemindsFiveMinutesBefore() throws Exception {
        MeetingRecord m = registry.create(user("ann"), new MeetingSpec("scheduled", "Review", T0 + 60 * 60_000L, T0 + 120 * 60_000L,
                List.of("ben"), null, true, false));
        Client benSession = new Client();
        meetings.registerSession("ben", benSession);
        String ben = token("ben", "Ben");

        assertEquals("too_early", refused(m.id(), ben, null, "10.0.0.2").code, "an hour before: closed");
        time.advance(44 * 60_000L);                       // 16 minutes before: still closed (early join is 15)
        assertEquals("too_early", refused(m.id(), ben, null, "10.0.0.2").code);
        assertTrue(benSession.of("reminder").isEmpty(), "no reminder 16 minutes before");
        // the creator can still edit until the early-join time, not after
        registry.edit(user("ann"), m.id(), new MeetingSpec(null, "Review (moved room)", null, null, null, null, null, null));
        time.advance(2 * 60_000L);                        // 14 minutes before: open
        assertThrows(SignalingException.class, () -> registry.edit(user("ann"), m.id(),
                new MeetingSpec(null, "Too late", null, null, null, null, null, null)), "no edits after the early-join time");
        Participant p = join(m.id(), ben, null, "10.0.0.2", new Client());
        assertEquals(Participant.Role.GUEST, p.role(), "an invitee without a host grant joins as a guest");
        assertTrue(benSession.of("reminder").isEmpty());

        time.advance(9 * 60_000L + 2_000);               // 4:58 before the start: the reminder is due
        List<ObjectNode> r = benSession.of("reminder");
        assertEquals(1, r.size(), "one reminder: " + benSession.events);
        assertEquals(m.id(), r.get(0).path("meeting").path("id").asText());
        long in = r.get(0).path("startsInSeconds").asLong();
        assertTrue(in > 290 && in <= 300, "starts in about 5 minutes: " + in);
        time.advance(10 * 60_000L);
        assertEquals(1, benSession.of("reminder").size(), "never twice");
    }

    /** A scheduled meeting with the live flag goes live when its first member enters (once), and its link ends with it. */
    @Test void aScheduledLiveMeetingGoesLiveWhenItStarts() throws Exception {
        org.roundtable.streaming.live.LiveDirectory dir = new org.roundtable.streaming.live.LiveDirectory(time.clock());
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        meetings.enableLive(dir, org.roundtable.streaming.hls.HlsConfig.defaults(), org.roundtable.streaming.hls.HlsRuntime.create(Runnable::run, timer),
                org.roundtable.streaming.rtmp.RtmpOptions.DEFAULTS, new org.roundtable.streaming.rtmp.RtmpMetrics());
        MeetingRecord m = registry.create(user("ann"), new MeetingSpec("scheduled", "All hands", T0 + 10 * 60_000L, T0 + 70 * 60_000L,
                List.of("ben", "cy"), null, true, true));
        MeetingRecord quiet = registry.create(user("ann"), new MeetingSpec("scheduled", "Not public", T0 + 10 * 60_000L, T0 + 70 * 60_000L,
                List.of("ben"), null, true, false));
        try {
            Client ben = new Client();
            Participant pb = join(m.id(), token("ben", "Ben"), null, "10.0.0.2", ben);
            List<ObjectNode> live = ben.of("live");
            assertEquals(1, live.size(), "the first member sees it go live: " + ben.events);
            assertTrue(live.get(0).path("on").asBoolean());
            assertEquals("schedule", live.get(0).path("by").asText());
            String link = live.get(0).path("link").asText();
            assertTrue(link.matches("/live/[A-Za-z0-9_-]{22}"), link);
            org.roundtable.streaming.live.LiveDirectory.Channel ch = dir.find(link.substring("/live/".length()));
            assertEquals(org.roundtable.streaming.live.LiveDirectory.State.LIVE, ch.state());
            assertEquals("All hands", ch.subject(), "the viewer page shows the meeting's subject");
            Client cy = new Client();
            Participant pc = join(m.id(), token("cy", "Cy"), null, "10.0.0.3", cy);
            assertEquals(1, dir.liveCount(), "one stream, not one per member");
            assertTrue(ben.of("live").size() == 1, "not started again");
            Client other = new Client();
            join(quiet.id(), token("ben", "Ben"), null, "10.0.0.2", other);
            assertTrue(other.of("live").isEmpty(), "a meeting without the flag does not go live");
            assertEquals(1, dir.liveCount());
            meetings.leave(m.id(), pb, "left");
            meetings.leave(m.id(), pc, "left");         // the last one out ends it
            assertEquals(org.roundtable.streaming.live.LiveDirectory.State.ENDED, ch.state(), "the link says the stream ended");
            assertEquals(0, dir.liveCount());
        } finally {
            timer.shutdownNow();
        }
    }

    @Test void aMeetingAHostEndedStaysEndedForTenMinutesInOpenMode() throws Exception {
        // open mode has no registry to say a meeting ended: the service remembers it
        meetings.close();
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 2_500_000, false, 30_000, 10_000, 1);
        ServerConfig open = new ServerConfig("127.0.0.1", 0, b, true, 4);
        meetings = new MeetingService(bridge, open, registry, new Jwt(List.of(ServerConfig.TEST_SECRET), List.of(), "", "", 30, time.clock()),
                new AttemptLimiter(time.clock(), 3, 10, 60_000, 300_000), MeetingTime.of(time.clock(), time, time));
        Client hostClient = new Client();
        Participant host = meetings.join("standup", "Host", Participant.Kind.WEB, hostClient, null);
        assertEquals(Participant.Role.HOST, host.role(), "the first to open an open-mode meeting hosts it");
        Client other = new Client();
        Participant guest = meetings.join("standup", "Guest", Participant.Kind.WEB, other, null);
        assertThrows(SignalingException.class, () -> meetings.control("standup", guest, "endForAll", null, null, null), "a guest cannot end it");
        meetings.control("standup", host, "endForAll", null, null, null);
        assertNotNull(other.closed, "the guest's session was ended");
        assertEquals(0, meetings.meetingCount());
        time.advance(9 * 60_000L);
        SignalingException e = assertThrows(SignalingException.class, () -> meetings.join("standup", "Late", Participant.Kind.WEB, new Client(), null));
        assertEquals(410, e.httpStatus, "joining an ended meeting within 10 minutes is refused: " + e.getMessage());
        time.advance(2 * 60_000L);
        assertEquals(Participant.Role.HOST, meetings.join("standup", "Next", Participant.Kind.WEB, new Client(), null).role(),
                "11 minutes later the name is free for a new meeting");
    }

    @Test void wrongPasswordsLockTheGuesserAndTheMeetingButNotTheInvitees() throws Exception {
        MeetingRecord m = registry.create(user("ann"), new MeetingSpec("instant", "Board", null, null, List.of("ben"), "river77", true, false));
        for (int i = 0; i < 3; i++)
            assertEquals("denied", refused(m.id(), null, "guess" + i + "xx", "10.6.6.6").code);
        SignalingException locked = refused(m.id(), null, "river77", "10.6.6.6");
        assertEquals(429, locked.httpStatus, "the guesser is locked out even with the right password: " + locked.code);
        // a stranger elsewhere keeps guessing until the meeting's own counter trips too
        refused(m.id(), null, "otherxx", "10.7.0.1");      // the fourth failure for this meeting
        assertEquals(429, refused(m.id(), null, "river77", "10.8.0.1").httpStatus, "the meeting is locked for password joins");
        // the invitee's token is checked before the meeting's counter: no lockout of the people invited
        Participant ben = join(m.id(), token("ben", "Ben"), null, "10.0.0.2", new Client());
        assertFalse(ben.inLobby());
        time.advance(301_000);
        assertEquals(Participant.Role.GUEST, join(m.id(), null, "river77", "10.8.0.1", new Client()).role(),
                "after the lockout the password works again, and makes a guest");
        Participant ann = join(m.id(), token("ann", "Ann"), null, "10.0.0.1", new Client());
        assertEquals(Participant.Role.HOST, ann.role(), "the owner is host whoever came first");
    }

    @Test void aLockedMeetingKeepsNewcomersInTheLobbyUntilAHostAdmitsThem() throws Exception {
        MeetingRecord m = registry.create(user("ann"), new MeetingSpec("instant", "Board", null, null, List.of("ben"), "river77", true, false));
        Client annC = new Client();
        Participant ann = join(m.id(), token("ann", "Ann"), null, "10.0.0.1", annC);
        Client benC = new Client();
        Participant ben = join(m.id(), token("ben", "Ben"), null, "10.0.0.2", benC);
        assertThrows(SignalingException.class, () -> meetings.control(m.id(), ben, "lock", null, null, null), "a guest cannot lock");
        meetings.control(m.id(), ann, "lock", null, null, null);
        Client guestC = new Client();
        Participant guest = join(m.id(), null, "river77", "10.0.0.3", guestC);
        assertTrue(guest.inLobby(), "locked: the newcomer waits");
        assertEquals(1, annC.of("lobbyJoined").size(), "the host hears of it: " + annC.events);
        assertTrue(benC.of("lobbyJoined").isEmpty(), "guests do not see the lobby");
        assertThrows(SignalingException.class, () -> meetings.control(m.id(), ben, "admit", guest.id, null, null), "a guest cannot admit");
        assertThrows(SignalingException.class, () -> meetings.offer(m.id(), guest, "v=0\r\n"), "no media while in the lobby");
        meetings.control(m.id(), ann, "admit", guest.id, null, null);
        assertFalse(guest.inLobby());
        assertEquals(1, benC.of("participantJoined").stream().filter(e -> e.path("participant").path("id").asText().equals(guest.id)).count(),
                "members see the admitted guest join");
        assertNull(guestC.closed);
    }
}
