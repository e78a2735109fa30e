package org.roundtable.signaling.registry;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.auth.Identity;

/**
 * The production database path against a real PostgreSQL (Debian's, started by ops/test.sh inside the
 * test namespace; RT_PG_URL points at it). Under CI a missing database is a failure, not a skip.
 */
class PostgresRegistryTest {
    static String url() {
        String url = System.getenv("RT_PG_URL");
        if (url == null) {
            assertNotEquals("true", System.getenv("CI"), "CI must provide PostgreSQL (RT_PG_URL): ops/test.sh starts it");
            Assumptions.assumeTrue(false, "RT_PG_URL not set: PostgreSQL test skipped outside CI");
        }
        return url;
    }

    static String user() { return System.getenv().getOrDefault("RT_PG_USER", "postgres"); }

    @Test void repositoryOnPostgres() {
        try (JdbcMeetingRepository repo = new JdbcMeetingRepository(url(), user(), "")) {
            long now = System.currentTimeMillis();
            String id = "pg" + Long.toString(now, 36);
            String number = Integer.toString(100_000_000 + (int) (now % 899_999_999));
            MeetingRecord m = new MeetingRecord(id, number, MeetingRecord.SCHEDULED, "On Postgres", "ann", now + 200_000, now + 3_600_000,
                    Passwords.hash("pg-pass"), true, false, MeetingRecord.ACTIVE, false, List.of("ben", "cy"), now, now);
            repo.insert(m);
            assertThrows(IllegalStateException.class, () -> repo.insert(m), "ids and numbers are unique");
            MeetingRecord byNumber = repo.find(number).orElseThrow();
            assertEquals(id, byNumber.id());
            assertEquals(List.of("ben", "cy"), byNumber.members());
            assertTrue(Passwords.matches("pg-pass", byNumber.passwordHash()));
            assertTrue(repo.forUser("cy", 10).stream().anyMatch(x -> x.id().equals(id)));
            repo.update(new MeetingRecord(id, number, m.kind(), "Renamed", "ann", m.startMs(), m.endMs(), null, true, true,
                    MeetingRecord.ACTIVE, false, List.of("dee"), now, now + 1));
            MeetingRecord u = repo.find(id).orElseThrow();
            assertEquals("Renamed", u.subject());
            assertEquals(List.of("dee"), u.members());
            assertNull(u.passwordHash());
            assertTrue(repo.dueForReminder(now, now + 300_000).stream().anyMatch(x -> x.id().equals(id)));
            repo.markReminded(id);
            assertFalse(repo.dueForReminder(now, now + 300_000).stream().anyMatch(x -> x.id().equals(id)));
        }
    }

    @Test void serverRestartOnPostgresLosesNothing() throws Exception {
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 2_500_000, false, 30_000, 10_000, 4);
        ServerConfig cfg = new ServerConfig("127.0.0.1", 0, b, false, 100).withRegistry(new ServerConfig.Registry(url(), user(), "", 15, 5));
        String id;
        try (RoundtableServer s = new RoundtableServer(cfg).start()) {
            id = s.meetingRegistry.create(new Identity("ann", "Ann", java.util.Set.of()),
                    new MeetingSpec("instant", "Survives", null, null, List.of("ben"), null, true, false)).id();
        }
        try (RoundtableServer s = new RoundtableServer(cfg).start()) {
            assertEquals("Survives", s.meetingRegistry.find(id).orElseThrow().subject());
        }
    }
}
