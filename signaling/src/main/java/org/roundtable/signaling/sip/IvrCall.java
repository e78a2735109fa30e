package org.roundtable.signaling.sip;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.roundtable.bridge.transport.PlainRtpLeg;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.signaling.meeting.MeetingService;
import org.roundtable.signaling.meeting.SignalingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meeting IVR for one phone call: prompts (8 kHz µ-law files, paced every 20 ms in the call's
 * codec), keys (RFC 4733 or SIP INFO), meeting number then password, each ending with #. It always
 * asks for the password, so a caller cannot tell a wrong number from a wrong password; three wrong
 * tries end the call. The password check is the meeting rules' (rate limits per source included).
 * Once admitted, the leg is handed to the meeting. Thread: keys on the media loop or the SIP thread,
 * prompts on the IVR scheduler; state changes under this object's lock.
 */
final class IvrCall {
    private static final Logger LOG = LoggerFactory.getLogger(IvrCall.class);
    private static final Map<String, byte[]> PROMPTS = new ConcurrentHashMap<>();

    enum State { NUMBER, PASSWORD, JOINING, LOBBY, GOODBYE, JOINED, DONE }

    interface Hangup { void hangup(String reason); }

    private final MeetingService meetings;
    private final PlainRtpLeg leg;
    private final AudioCodec.Kind codec;
    private final int pt, eventPt;
    private final String source;
    private final String displayName;
    private final Hangup hangup;
    private final SipMetrics metrics;
    private final ScheduledFuture<?> player;
    /** Prompts, idle checks and the delayed hang-up; and where joining (which waits on the meeting) runs. */
    private final ScheduledExecutorService scheduler;
    private final java.time.Clock clock;
    private final java.util.concurrent.Executor blocking;
    private State state;
    private String number;
    private final boolean direct;
    private final StringBuilder digits = new StringBuilder();
    private int tries, reprompts;
    /** Silence after a prompt before it is played again. */
    private final long idleMs;
    private long idleSinceMs;
    private byte[] prompt;
    private int promptPos;
    private long lastKeyAtMs;
    volatile long passwordDoneAtMs;
    volatile MeetingService.PhoneMember member;

    IvrCall(MeetingService meetings, PlainRtpLeg leg, AudioCodec.Kind codec, int pt, int eventPt, String dialled, String source,
            String displayName, long idleMs, ScheduledExecutorService scheduler, java.util.concurrent.Executor blocking, Hangup hangup,
            SipMetrics metrics) {
        this(meetings, leg, codec, pt, eventPt, dialled, source, displayName, idleMs, java.time.Clock.systemUTC(), scheduler, blocking, hangup, metrics);
    }

    /** clock and scheduler: the time the IVR lives by (prompt pacing, idle re-prompts, stale entries, the hang-up); tests drive both. */
    IvrCall(MeetingService meetings, PlainRtpLeg leg, AudioCodec.Kind codec, int pt, int eventPt, String dialled, String source,
            String displayName, long idleMs, java.time.Clock clock, ScheduledExecutorService scheduler, java.util.concurrent.Executor blocking,
            Hangup hangup, SipMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.blocking = blocking;
        this.idleMs = idleMs;
        this.meetings = meetings;
        this.leg = leg;
        this.codec = codec;
        this.pt = pt;
        this.eventPt = eventPt;
        this.source = source;
        this.displayName = displayName;
        this.hangup = hangup;
        this.direct = dialled != null;
        this.frames = new org.roundtable.mixer.PromptFrames(codec);
        if (dialled != null) {
            number = dialled;
            state = State.PASSWORD;
            play("password");
        } else {
            state = State.NUMBER;
            play("welcome");
        }
        leg.handler(new PlainRtpLeg.Handler() {
            @Override public void onAudio(int seq, long ts, byte[] b, int off, int len) { }
            @Override public void onKey(char key) { key(key); }
        });
        player = scheduler.scheduleAtFixedRate(this::tick, 0, 20, TimeUnit.MILLISECONDS);
    }

    static byte[] prompt(String name) {
        return PROMPTS.computeIfAbsent(name, n -> {
            try (InputStream in = IvrCall.class.getClassLoader().getResourceAsStream("prompts/" + n + ".ul")) {
                return in == null ? new byte[0] : in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
    }

    private synchronized void play(String name) {
        prompt = prompt(name);
        promptPos = 0;
    }

    /** One 20 ms frame of prompt or silence, in the call's codec. */
    private final org.roundtable.mixer.PromptFrames frames;
    private final byte[] frame = new byte[1500];
    private static final byte[] NOTHING = new byte[0];

    private void tick() {
        int n;
        synchronized (this) {
            if (state == State.JOINED || state == State.DONE) return;    // the meeting's mix takes over
            if (state == State.NUMBER || state == State.PASSWORD) idle(clock.millis());
            byte[] p = prompt != null ? prompt : NOTHING;
            n = frames.frame(p, promptPos, frame);
            promptPos += 160;
        }
        leg.send(frame, n, codec.frameTicks());
    }

    /**
     * No key for idleMs after the prompt ended: the prompt again; after the third time, goodbye (a
     * caller who walked away, or a line left open, does not hold the IVR forever). Under the lock.
     */
    private void idle(long now) {
        boolean playing = prompt != null && promptPos < prompt.length;
        if (playing) { idleSinceMs = now; return; }
        if (now - Math.max(idleSinceMs, lastKeyAtMs) < idleMs) return;
        idleSinceMs = now;
        if (++reprompts >= 3) {
            metrics.ivrAttempts.labelValues("no_input").inc();
            goodbye("no input");
            return;
        }
        play(state == State.NUMBER ? "welcome" : "password");
    }

    /** Says goodbye, then hangs up once the prompt has played. Under the lock. */
    private void goodbye(String why) {
        state = State.GOODBYE;
        play("goodbye");
        scheduler.schedule(() -> hangup.hangup(why), prompt.length / 8 + 300, TimeUnit.MILLISECONDS);
    }

    /** Keys pressed while a join is being checked (a password hash takes a while), replayed if it fails. */
    private final StringBuilder typeAhead = new StringBuilder();

    /** A key from RFC 4733 or SIP INFO. */
    synchronized void key(char k) {
        long now = clock.millis();
        if (state == State.JOINING) {
            // type-ahead: a caller who got it wrong keys the next try while we still check this one
            if (typeAhead.length() < 64) typeAhead.append(k);
            return;
        }
        if (state != State.NUMBER && state != State.PASSWORD) return;
        reprompts = 0;
        if (now - lastKeyAtMs > 10_000) digits.setLength(0);   // a stale half-entry
        lastKeyAtMs = now;
        if (k == '*') { digits.setLength(0); return; }
        if (k != '#') {
            if (digits.length() < 32) digits.append(k);
            prompt = null;                                        // barge-in: stop the prompt
            return;
        }
        String entered = digits.toString();
        digits.setLength(0);
        if (state == State.NUMBER) {
            if (entered.isEmpty()) return;
            number = entered;
            state = State.PASSWORD;
            play("password");
            return;
        }
        passwordDoneAtMs = now;
        state = State.JOINING;
        String n = number, pw = entered;
        blocking.execute(() -> join(n, pw));
    }

    private void join(String meetingNumber, String password) {
        try {
            MeetingService.PhoneMember pm = meetings.joinPhone(new MeetingService.JoinRequest(meetingNumber, displayName, null,
                    password.isEmpty() ? null : password, source), codec, pt, eventPt, leg, reason -> hangup.hangup(reason), this::admitted);
            synchronized (this) {
                member = pm;
                if (state == State.DONE) return;
                if (pm.inLobby() && state != State.JOINED) { state = State.LOBBY; play("lobby"); } // a fast admit may have come first
                else state = State.JOINED;
            }
            long joinedAfterMs = clock.millis() - passwordDoneAtMs;
            metrics.ivrAttempts.labelValues(pm.inLobby() ? "lobby" : "joined").inc();
            metrics.joinSeconds.observe(joinedAfterMs / 1000.0);
            metrics.lastJoinDelayMs = joinedAfterMs;
            LOG.info("phone caller {} joined meeting {}{}, {} ms after the last key (the mix starts on the next 20 ms tick)",
                    source, meetingNumber, pm.inLobby() ? " (in the lobby)" : "", joinedAfterMs);
        } catch (SignalingException e) {
            synchronized (this) {
                if (state == State.DONE) return;
                tries++;
                metrics.ivrAttempts.labelValues(e.code).inc();
                LOG.info("phone caller {}: {} ({} of 3)", source, e.code, tries);
                boolean retry = tries < 3 && (e.code.equals("denied") || e.code.equals("bad_meeting_id"));
                if (retry) {
                    state = direct ? State.PASSWORD : State.NUMBER;
                    play("wrong");
                    String ahead = typeAhead.toString();
                    typeAhead.setLength(0);
                    for (int i = 0; i < ahead.length(); i++) key(ahead.charAt(i));
                    return;
                }
                goodbye(e.code.equals("rate_limited") ? "too many attempts" : "wrong meeting number or password");
            }
        }
    }

    /** The meeting admitted the caller from the lobby: the mix takes over. */
    synchronized void admitted() { if (state != State.DONE && state != State.GOODBYE) state = State.JOINED; }

    void close() {
        synchronized (this) { state = State.DONE; }
        player.cancel(false);
    }
}
