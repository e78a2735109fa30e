package org.roundtable.signaling.sip;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.meeting.SignalingException;

/**
 * Who pays for the call (toll fraud): a dial-out or call back must name a target the allow-list
 * matches (whole target, as typed), and each member and each meeting may start only so many calls a
 * minute (sliding window on the injected clock). Refusals are SignalingExceptions with the codes the
 * SDK gets: target_not_allowed (403) and rate_limited (429). Thread-safe.
 */
final class DialOutPolicy {
    static final long WINDOW_MS = 60_000;
    private final List<Pattern> allow;
    private final int perMember, perMeeting;
    private final Clock clock;
    private final Map<String, ArrayDeque<Long>> byMember = new HashMap<>(), byMeeting = new HashMap<>();

    DialOutPolicy(ServerConfig.DialOut cfg, Clock clock) {
        this.allow = cfg.allow().stream().map(Pattern::compile).toList();
        this.perMember = cfg.perMemberPerMinute();
        this.perMeeting = cfg.perMeetingPerMinute();
        this.clock = clock;
    }

    /** Whether the allow-list lets target be called. */
    boolean allowed(String target) {
        if (target == null) return false;
        for (Pattern p : allow) if (p.matcher(target).matches()) return true;
        return false;
    }

    /** Refuses a target off the allow-list. */
    void checkTarget(String target) throws SignalingException {
        if (!allowed(target))
            throw new SignalingException("target_not_allowed", 403, "dialling " + target + " is not allowed here (roundtable.sip.dial-out.allow)");
    }

    /**
     * Takes one call from the member's and the meeting's minute, or refuses (nothing taken). member null:
     * a server-side dial (only the meeting's limit).
     */
    synchronized void take(String meetingId, String member) throws SignalingException {
        long now = clock.millis();
        ArrayDeque<Long> meeting = window(byMeeting, meetingId, now);
        ArrayDeque<Long> mine = member == null ? null : window(byMember, meetingId + "\u0000" + member, now);
        if (mine != null && mine.size() >= perMember)
            throw new SignalingException("rate_limited", 429, "at most " + perMember + " calls a minute per member; retry in "
                    + retryS(mine, now) + " s");
        if (meeting.size() >= perMeeting)
            throw new SignalingException("rate_limited", 429, "at most " + perMeeting + " calls a minute per meeting; retry in "
                    + retryS(meeting, now) + " s");
        meeting.addLast(now);
        if (mine != null) mine.addLast(now);
    }

    private static long retryS(ArrayDeque<Long> w, long now) { return Math.max(1, (w.peekFirst() + WINDOW_MS - now + 999) / 1000); }

    private ArrayDeque<Long> window(Map<String, ArrayDeque<Long>> m, String key, long now) {
        // forget keys whose minute is over (bounded by the calls of the last minute)
        if (m.size() > 1024) m.values().removeIf(d -> d.isEmpty() || d.peekLast() <= now - WINDOW_MS);
        ArrayDeque<Long> d = m.computeIfAbsent(key, k -> new ArrayDeque<>());
        while (!d.isEmpty() && d.peekFirst() <= now - WINDOW_MS) d.pollFirst();
        return d;
    }
}
