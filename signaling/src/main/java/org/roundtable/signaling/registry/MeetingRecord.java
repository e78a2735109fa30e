package org.roundtable.signaling.registry;

import java.util.List;

/**
 * A meeting in the registry. Immutable: edits produce a new record.
 * @param kind "instant" or "scheduled"
 * @param startMs when it starts (instant: when created)
 * @param endMs when it ends, or null (instant meetings run until ended)
 * @param passwordHash see {@link Passwords}, or null for none
 * @param status "scheduled" (not ended or cancelled), "cancelled" or "ended"
 * @param hosts invitees who join as hosts (co-hosts); each is also in members
 */
public record MeetingRecord(String id, String number, String kind, String subject, String ownerId, long startMs,
                            Long endMs, String passwordHash, boolean avEnabled, boolean liveStream, String status,
                            boolean reminded, List<String> members, long createdMs, long updatedMs, List<String> hosts) {
    /** Without co-hosts. */
    public MeetingRecord(String id, String number, String kind, String subject, String ownerId, long startMs,
                         Long endMs, String passwordHash, boolean avEnabled, boolean liveStream, String status,
                         boolean reminded, List<String> members, long createdMs, long updatedMs) {
        this(id, number, kind, subject, ownerId, startMs, endMs, passwordHash, avEnabled, liveStream, status, reminded, members, createdMs, updatedMs, List.of());
    }

    /** The owner, or an invitee the owner marked as host (a co-host). */
    public boolean hostedBy(String userId) { return userId != null && (userId.equals(ownerId) || hosts.contains(userId)); }

    public static final String INSTANT = "instant", SCHEDULED = "scheduled";
    public static final String ACTIVE = "scheduled", CANCELLED = "cancelled", ENDED = "ended";

    public boolean invited(String userId) { return userId != null && (userId.equals(ownerId) || members.contains(userId)); }

    public MeetingRecord withStatus(String s, long now) {
        return new MeetingRecord(id, number, kind, subject, ownerId, startMs, endMs, passwordHash, avEnabled, liveStream, s, reminded, members, createdMs, now, hosts);
    }
}
