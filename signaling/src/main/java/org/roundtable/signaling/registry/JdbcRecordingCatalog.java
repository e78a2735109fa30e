package org.roundtable.signaling.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.roundtable.recorder.Recording;
import org.roundtable.recorder.RecordingCatalog;

/** The recordings table (Flyway V3) of the registry database: H2 or PostgreSQL. Thread-safe (the pool is). */
public final class JdbcRecordingCatalog implements RecordingCatalog {
    private static final String COLS = "id, meeting_id, meeting_number, creator_id, creator_name, kind, file, mime, started_at, stopped_at, "
            + "duration_ms, bytes, state, reason";
    private final DataSource ds;

    public JdbcRecordingCatalog(DataSource ds) { this.ds = ds; }

    @Override public void insert(Recording r) {
        run("INSERT INTO recordings (" + COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", s -> {
            s.setString(1, r.id());
            s.setString(2, r.meetingId());
            s.setString(3, r.meetingNumber());
            s.setString(4, r.creatorId());
            s.setString(5, r.creatorName());
            s.setString(6, r.kind());
            s.setString(7, r.file());
            s.setString(8, r.mime());
            s.setLong(9, r.startedMs());
            setLong(s, 10, r.stoppedMs());
            setLong(s, 11, r.durationMs());
            setLong(s, 12, r.bytes());
            s.setString(13, r.state());
            s.setString(14, r.reason());
        });
    }

    @Override public void update(Recording r) {
        run("UPDATE recordings SET stopped_at = ?, duration_ms = ?, bytes = ?, state = ?, reason = ? WHERE id = ?", s -> {
            setLong(s, 1, r.stoppedMs());
            setLong(s, 2, r.durationMs());
            setLong(s, 3, r.bytes());
            s.setString(4, r.state());
            s.setString(5, r.reason());
            s.setString(6, r.id());
        });
    }

    @Override public Optional<Recording> find(String id) {
        List<Recording> l = query("WHERE id = ?", id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    @Override public List<Recording> forMeeting(String meetingId) { return query("WHERE meeting_id = ? ORDER BY started_at", meetingId); }

    @Override public List<Recording> inState(String state) { return query("WHERE state = ?", state); }

    @Override public List<Recording> startedBefore(long ms) { return query("WHERE started_at < ?", ms); }

    @Override public void delete(String id) { run("DELETE FROM recordings WHERE id = ?", s -> s.setString(1, id)); }

    private interface Binder { void bind(PreparedStatement s) throws SQLException; }

    private void run(String sql, Binder b) {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            b.bind(s);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("recordings: " + e.getMessage(), e);
        }
    }

    private List<Recording> query(String where, Object arg) {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("SELECT " + COLS + " FROM recordings " + where)) {
            if (arg instanceof Long l) s.setLong(1, l); else s.setString(1, (String) arg);
            List<Recording> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.add(new Recording(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8), rs.getLong(9), getLong(rs, 10), getLong(rs, 11), getLong(rs, 12),
                        rs.getString(13), rs.getString(14)));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("recordings: " + e.getMessage(), e);
        }
    }

    private static void setLong(PreparedStatement s, int i, Long v) throws SQLException {
        if (v == null) s.setNull(i, Types.BIGINT); else s.setLong(i, v);
    }

    private static Long getLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }
}
