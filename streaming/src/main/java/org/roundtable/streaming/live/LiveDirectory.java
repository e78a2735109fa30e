package org.roundtable.streaming.live;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.roundtable.streaming.hls.HlsLookup;
import org.roundtable.streaming.hls.HlsStream;

/**
 * The server's live links: each live stream is reached at {@code /live/<token>}, the token 128 random
 * bits (base64url, 22 characters: unguessable, so the link is the viewer's only key). A channel is
 * made when a host starts the stream, is live while its {@link HlsStream} runs, and ended after; an ended
 * channel answers "ended" for an hour (viewers who come late are told), then its token is forgotten
 * (404). A revoked token answers 403 for a day (a viewer holding it is told it was revoked, not that it
 * never was), while the stream goes on under a new token.
 * Thread: any (concurrent maps; channels' fields are volatile).
 */
public final class LiveDirectory {
    public enum State { WAITING, LIVE, ENDED }

    /** One live link: the meeting it shows, its subject, where it stands, its HLS stream. */
    public static final class Channel {
        public final String token;
        public final String meetingId;
        volatile String subject;
        volatile State state = State.WAITING;
        volatile HlsStream hls;
        volatile long endedAtMs;

        Channel(String token, String meetingId, String subject) {
            this.token = token;
            this.meetingId = meetingId;
            this.subject = subject;
        }

        public String subject() { return subject; }
        public State state() { return state; }
        public HlsStream hls() { return hls; }
    }

    private static final long ENDED_KEPT_MS = 3_600_000, REVOKED_KEPT_MS = 86_400_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Clock clock;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Map<String, Long> revoked = new ConcurrentHashMap<>();

    public LiveDirectory(Clock clock) { this.clock = clock; }

    /** A new live link for a meeting, waiting for its stream. */
    public Channel open(String meetingId, String subject) {
        sweep();
        Channel c = new Channel(newToken(), meetingId, subject == null || subject.isBlank() ? "Live meeting" : subject);
        channels.put(c.token, c);
        return c;
    }

    /** The stream of a channel runs: viewers are served. */
    public void live(Channel c, HlsStream hls) {
        c.hls = hls;
        c.state = State.LIVE;
    }

    /** The stream of a channel ended (its playlist has EXT-X-ENDLIST). */
    public void end(Channel c) {
        c.endedAtMs = clock.millis();
        c.state = State.ENDED;
    }

    /** Refuses c's token from now on; the stream goes on as the returned channel under a new token. */
    public Channel revoke(Channel c) {
        Channel n = new Channel(newToken(), c.meetingId, c.subject);
        n.hls = c.hls;
        n.state = c.state;
        n.endedAtMs = c.endedAtMs;
        channels.put(n.token, n);
        channels.remove(c.token);
        revoked.put(c.token, clock.millis());
        return n;
    }

    /** The channel of a token (null: unknown or revoked, see {@link #isRevoked}). */
    public Channel find(String token) { return token == null ? null : channels.get(token); }

    public boolean isRevoked(String token) { return token != null && revoked.containsKey(token); }

    /** For the HLS handler: a live or ended channel's stream, 403 for a revoked token, 404 otherwise. */
    public HlsLookup lookup(String token) {
        Channel c = find(token);
        if (c != null && c.hls != null) return HlsLookup.found(c.hls);
        return isRevoked(token) ? HlsLookup.revoked() : HlsLookup.unknown();
    }

    /** Channels live now. */
    public int liveCount() {
        int n = 0;
        for (Channel c : channels.values()) if (c.state == State.LIVE) n++;
        return n;
    }

    private void sweep() {
        long now = clock.millis();
        channels.values().removeIf(c -> c.state == State.ENDED && now - c.endedAtMs > ENDED_KEPT_MS);
        revoked.values().removeIf(at -> now - at > REVOKED_KEPT_MS);
    }

    private static String newToken() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
