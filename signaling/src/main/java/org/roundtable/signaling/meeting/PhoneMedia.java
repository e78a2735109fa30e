package org.roundtable.signaling.meeting;

import io.netty.buffer.ByteBufAllocator;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.concurrent.Executors;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.signaling.meeting.Participant.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phone members' media: a phone leg's audio published into the conference (forwarded to browsers as it
 * is), the meeting mix it hears (one {@link MeetingAudio} per meeting with phones), its in-call codes
 * (*7 / *8 / #7 / #9) and prompts, and the mixers' counters. Thread: the meeting's executor, except the
 * leg's handlers (media loop) noted below.
 */
final class PhoneMedia {
    private static final Logger LOG = LoggerFactory.getLogger(PhoneMedia.class);
    private static final SecureRandom RND = new SecureRandom();
    private final MeetingService rules;
    private final Bridge bridge;
    private final Collection<Meeting> live;
    private final java.util.concurrent.ScheduledExecutorService mixTicker = Executors.newScheduledThreadPool(2,
            new io.netty.util.concurrent.DefaultThreadFactory("mixer", true, Thread.MAX_PRIORITY));

    PhoneMedia(MeetingService rules, Bridge bridge, Collection<Meeting> live) {
        this.rules = rules;
        this.bridge = bridge;
        this.live = live;
    }

    void shutdown() { mixTicker.shutdownNow(); }

    /** Work and input losses of mixers that have closed, so the counters never go down: tick, decode, encode, late, concealed, dropped. */
    private final long[] mixTotals = new long[6];

    long[] mixerTotals() {
        long[] t;
        synchronized (mixTotals) { t = mixTotals.clone(); }
        for (Meeting m : live) {
            MeetingAudio a = m.audio;
            if (a != null) add(t, a.mixer);
        }
        return t;
    }

    private static void add(long[] t, org.roundtable.mixer.AudioMixer mixer) {
        t[0] += mixer.ticks;
        t[1] += mixer.decodes;
        t[2] += mixer.encodes;
        long[] l = mixer.inputLosses();
        for (int i = 0; i < 3; i++) t[3 + i] += l[i];
    }

    int start(Meeting m, Participant p, org.roundtable.mixer.AudioCodec.Kind codec, int pt, int eventPt,
                                org.roundtable.bridge.transport.PlainRtpLeg leg) throws Exception {
        org.roundtable.bridge.rtp.Keyframes.Codec kc = switch (codec) {
            case PCMA -> org.roundtable.bridge.rtp.Keyframes.Codec.PCMA;
            case G722 -> org.roundtable.bridge.rtp.Keyframes.Codec.G722;
            case OPUS -> org.roundtable.bridge.rtp.Keyframes.Codec.OPUS;
            default -> org.roundtable.bridge.rtp.Keyframes.Codec.PCMU;
        };
        int ssrc = RND.nextInt();
        int clock = codec == org.roundtable.mixer.AudioCodec.Kind.OPUS ? 48000 : 8000;
        MediaSource src = new MediaSource(p.id + "-audio-phone", p.id, "phone", MediaKind.AUDIO, kc, clock, pt, -1, ssrc, 0, x -> {}, false);
        org.roundtable.mixer.InCallCodes codes = new org.roundtable.mixer.InCallCodes();
        io.netty.buffer.ByteBufAllocator alloc = bridge.alloc();
        leg.handler(new org.roundtable.bridge.transport.PlainRtpLeg.Handler() {
                    @Override public void onAudio(int seq, long ts, byte[] payload, int off, int len) {       // media loop
                        io.netty.buffer.ByteBuf b = alloc.heapBuffer(12 + len);
                        byte[] a = b.array();
                        int o = b.arrayOffset();
                        a[o] = (byte) 0x80;
                        a[o + 1] = (byte) pt;
                        org.roundtable.bridge.rtp.RtpPacket.setSequence(a, o, seq);
                        org.roundtable.bridge.rtp.RtpPacket.setTimestamp(a, o, ts);
                        org.roundtable.bridge.rtp.RtpPacket.setSsrc(a, o, ssrc);
                        System.arraycopy(payload, off, a, o + 12, len);
                        b.writerIndex(12 + len);
                        if (m.conference.inLoop()) {
                            try { src.route(b, o, 12 + len, 12, bridge.nowMs(), false); } finally { b.release(); }
                        } else {        // the leg's sockets are on another media loop than the meeting: hand it over
                            m.conference.execute(() -> {
                                try { src.route(b, o, 12 + len, 12, bridge.nowMs(), false); } finally { b.release(); }
                            });
                        }
                    }
                    @Override public void onKey(char key) {
                        String code = codes.key(key, System.currentTimeMillis());
                        if (code != null) m.exec.execute(() -> inCallCode(m, p, code));
                    }
                });
        p.phoneLeg = leg;
        p.phoneSource = src;
        src.setPaused(p.audioPaused(), bridge.nowMs());
        m.conference.call(() -> { m.conference.addExternalSource(src); return null; });
        audio(m);
        PhoneOutput out = new PhoneOutput(leg, codec);
        p.phoneOutput = out;
        p.phoneListener = m.audio.mixer.addListener(p.id, p.id, codec, out);
        LOG.info("{} ({}) joined meeting {} by phone, RTP on port {}", p.id, p.name, m.id, leg.localPort());
        return leg.localPort();
    }

    /** Plays one of the IVR's prompts to a phone member, over the meeting mix. */
    static void prompt(Participant p, String name) {
        if (p.phoneOutput != null) p.phoneOutput.prompt(org.roundtable.signaling.sip.Prompts.get(name));
    }

    /** *7 / *8 / #7 / #9 from a phone. On exec. */
    private void inCallCode(Meeting m, Participant p, String code) {
        if (p.left) return;
        switch (code) {
            case "*7", "*8" -> {
                boolean on = code.equals("*8");
                if (on && p.mutedByHost && !m.allowSelfUnmute) {
                    LOG.info("{}: *8 refused, the host muted them", p.id);
                    prompt(p, "not-allowed");
                    return;
                }
                if (on) p.mutedByHost = false;
                p.audioOn = on;
                rules.applyMedia(p);
                rules.memberUpdated(m, p, on ? "unmuted" : "muted");
                prompt(p, on ? "unmuted" : "muted");
            }
            case "#7", "#9" -> {
                boolean allowed = p.role == Role.HOST || (p.identity != null && p.identity.can("record"));
                if (!allowed) {
                    LOG.info("{}: {} refused, no record permission", p.id, code);
                    prompt(p, "not-allowed");
                    return;
                }
                try {
                    rules.setRecording(m, code.equals("#7"), p);
                } catch (SignalingException e) {
                    LOG.info("{}: {} failed: {}", p.id, code, e.getMessage());
                    prompt(p, "not-allowed");
                }
            }
            default -> { /* *45 *46 *44: 1:1 calls, not meetings */ }
        }
    }
    void close(Meeting m, Participant p) {
        if (p.phoneLeg != null) p.phoneLeg.close();
        if (p.pendingPhone != null) p.pendingPhone.leg().close();
        if (p.phoneListener != null && m.audio != null) m.audio.mixer.removeListener(p.phoneListener);
        if (p.phoneSource != null) {
            MediaSource src = p.phoneSource;
            m.conference.execute(() -> m.conference.removeExternalSource(src));
        }
        p.phoneLeg = null;
        p.pendingPhone = null;
        p.phoneListener = null;
        p.phoneSource = null;
        p.phoneOutput = null;
        if (p.phoneHangup != null) { Runnable h = p.phoneHangup; p.phoneHangup = null; h.run(); }
        releaseAudio(m, p);
    }

    /** The meeting's mix, made when the first phone joins or a recording starts, following the conference's audio. On exec. */
    MeetingAudio audio(Meeting m) {
        if (m.audio == null) m.audio = new MeetingAudio(bridge, m.conference, mixTicker, rules.config.mixer());
        m.audio.sync();
        return m.audio;
    }

    /** Closes the mix when nobody needs it any more: no phone but leaving (may be null), no recording. On exec. */
    void releaseAudio(Meeting m, Participant leaving) {
        boolean phonesLeft = false;
        for (Participant x : m.participants.values())
            if (x != leaving && !x.left && (x.kind == Participant.Kind.SIP || x.phoneLeg != null)) phonesLeft = true;
        if (!phonesLeft && m.recording == null && m.audio != null) {
            synchronized (mixTotals) { add(mixTotals, m.audio.mixer); }
            m.audio.close();
            m.audio = null;
        }
    }

}
