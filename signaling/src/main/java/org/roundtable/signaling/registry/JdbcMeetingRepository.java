package org.roundtable.signaling.registry;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The registry over JDBC: H2 (an embedded file, the default) or PostgreSQL, schema by Flyway migrations
 * in {@code db/migration}. Thread-safe (a Hikari pool).
 */
public final class JdbcMeetingRepository implements MeetingRepository {
    private final HikariDataSource ds;

    public JdbcMeetingRepository(String url, String user, String password) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        if (user != null && !user.isEmpty()) c.setUsername(user);
        if (password != null && !password.isEmpty()) c.setPassword(password);
        c.setMaximumPoolSize(8);
        c.setPoolName("registry");
        c.setConnectionTimeout(10_000);
        ds = new HikariDataSource(c);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    }

    @Override public void insert(MeetingRecord m) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO meetings (id, number, kind, subject, owner_id, start_at, end_at, password_hash, "
                    + "av_enabled, live_stream, status, reminded, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                s.setString(1, m.id());
                s.setString(2, m.number());
                s.setString(3, m.kind());
                bindFields(s, 4, m);
                s.setLong(13, m.createdMs());
                s.setLong(14, m.updatedMs());
                s.executeUpdate();
                writeMembers(c, m);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                if (e.getSQLState() != null && e.getSQLState().startsWith("23")) throw new IllegalStateException("meeting id or number taken", e);
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("registry insert failed: " + e.getMessage(), e);
        }
    }

    /** subject .. reminded at idx .. idx+8 */
    private static void bindFields(PreparedStatement s, int i, MeetingRecord m) throws SQLException {
        s.setString(i, m.subject());
        s.setString(i + 1, m.ownerId());
        s.setLong(i + 2, m.startMs());
        if (m.endMs() == null) s.setNull(i + 3, java.sql.Types.BIGINT); else s.setLong(i + 3, m.endMs());
        s.setString(i + 4, m.passwordHash());
        s.setBoolean(i + 5, m.avEnabled());
        s.setBoolean(i + 6, m.liveStream());
        s.setString(i + 7, m.status());
        s.setBoolean(i + 8, m.reminded());
    }

    private static void writeMembers(Connection c, MeetingRecord m) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM meeting_members WHERE meeting_id = ?")) {
            d.setString(1, m.id());
            d.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO meeting_members (meeting_id, user_id, host) VALUES (?, ?, ?)")) {
            for (String u : new java.util.LinkedHashSet<>(m.members())) {
                s.setString(1, m.id());
                s.setString(2, u);
                s.setBoolean(3, m.hosts().contains(u));
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    @Override public void update(MeetingRecord m) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("UPDATE meetings SET subject=?, owner_id=?, start_at=?, end_at=?, password_hash=?, "
                    + "av_enabled=?, live_stream=?, status=?, reminded=?, updated_at=? WHERE id=?")) {
                bindFields(s, 1, m);
                s.setLong(10, m.updatedMs());
                s.setString(11, m.id());
                if (s.executeUpdate() != 1) throw new IllegalStateException("no such meeting " + m.id());
                writeMembers(c, m);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("registry update failed: " + e.getMessage(), e);
        }
    }

    @Override public Optional<MeetingRecord> find(String idOrNumber) {
        List<MeetingRecord> r = query("SELECT * FROM meetings WHERE id = ? OR number = ?", idOrNumber, idOrNumber);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    @Override public List<MeetingRecord> forUser(String userId, int limit) {
        List<MeetingRecord> r = query("SELECT * FROM meetings WHERE owner_id = ? OR id IN (SELECT meeting_id FROM meeting_members WHERE user_id = ?) "
                + "ORDER BY start_at DESC", userId, userId);
        return r.size() > limit ? r.subList(0, limit) : r;
    }

    @Override public List<MeetingRecord> dueForReminder(long nowMs, long untilMs) {
        return query("SELECT * FROM meetings WHERE status = 'scheduled' AND kind = 'scheduled' AND av_enabled = TRUE AND reminded = FALSE "
                + "AND start_at > ? AND start_at <= ?", nowMs, untilMs);
    }

    @Override public void markReminded(String id) {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE meetings SET reminded = TRUE WHERE id = ?")) {
            s.setString(1, id);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("registry update failed: " + e.getMessage(), e);
        }
    }

    private List<MeetingRecord> query(String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) s.setObject(i + 1, args[i]);
            List<MeetingRecord> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) out.add(read(c, r));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("registry query failed: " + e.getMessage(), e);
        }
    }

    private static MeetingRecord read(Connection c, ResultSet r) throws SQLException {
        String id = r.getString("id");
        List<String> members = new ArrayList<>(), hosts = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT user_id, host FROM meeting_members WHERE meeting_id = ? ORDER BY user_id")) {
            s.setString(1, id);
            try (ResultSet m = s.executeQuery()) {
                while (m.next()) {
                    members.add(m.getString(1));
                    if (m.getBoolean(2)) hosts.add(m.getString(1));
                }
            }
        }
        long end = r.getLong("end_at");
        Long endMs = r.wasNull() ? null : end;
        return new MeetingRecord(id, r.getString("number"), r.getString("kind"), r.getString("subject"), r.getString("owner_id"),
                r.getLong("start_at"), endMs, r.getString("password_hash"), r.getBoolean("av_enabled"), r.getBoolean("live_stream"),
                r.getString("status"), r.getBoolean("reminded"), List.copyOf(members), r.getLong("created_at"), r.getLong("updated_at"),
                List.copyOf(hosts));
    }

    /** The pool, for the other tables of the same database (recordings). */
    public javax.sql.DataSource dataSource() { return ds; }

    @Override public void close() { ds.close(); }
}
