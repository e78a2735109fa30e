package org.roundtable.signaling.meeting;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.mixer.compose.Composition;

/**
 * A meeting's one composition, shared by its recording and its live stream (one picture drawn and
 * encoded once for all): made when the first of them starts (the members' cameras and content as
 * ordinary router subscriptions, the meeting mix as its sound, the roster for the layout), closed when
 * the last one stops. It follows the meeting's sources and roster while it lives.
 * Thread: the meeting's executor (the counters: any).
 */
final class MeetingCompositions {
    private final Composition.Config config;
    private final Bridge bridge;
    private final PhoneMedia phones;
    /** Ticks drawn and skipped by compositions that have ended (so the counters never go down). */
    private final LongAdder drawnDone = new LongAdder(), skippedDone = new LongAdder();

    MeetingCompositions(Composition.Config config, Bridge bridge, PhoneMedia phones) {
        this.config = config;
        this.bridge = bridge;
        this.phones = phones;
    }

    /** m's composition, made now if it has none; each acquire needs one {@link #release}. On exec. */
    Composition acquire(Meeting m) {
        if (m.composition == null) {
            Composition c = new Composition(m.id, config, m.conference, m.conference::execute, bridge::nowMs);
            MeetingAudio audio = phones.audio(m);
            audio.mixer.addPcmListener(c.audioInput());
            c.audioTimes(audio);
            m.composition = c;
            follow(m);
            roster(m);
        }
        m.compositionUsers++;
        return m.composition;
    }

    /** Gives back one acquire; the last closes the composition (its outputs were stopped before). On exec. */
    void release(Meeting m) {
        Composition c = m.composition;
        if (c == null || --m.compositionUsers > 0) return;
        m.composition = null;
        m.compositionUsers = 0;
        if (m.audio != null) m.audio.mixer.removePcmListener(c.audioInput());
        c.close();
        drawnDone.add(c.ticks);
        skippedDone.add(c.skipped);
        phones.releaseAudio(m, null);
    }

    /** The conference's sources changed: the composition follows its video. On exec. */
    void follow(Meeting m) {
        Composition c = m.composition;
        if (c == null) return;
        List<MediaSource> video = new ArrayList<>();
        for (MediaSource s : m.conference.sources()) if (s.kind == MediaKind.VIDEO) video.add(s);
        c.follow(video);
    }

    /** Members, names, the speaker and the sharer changed: the layout follows. On exec. */
    void roster(Meeting m) {
        Composition c = m.composition;
        if (c == null) return;
        List<Composition.Member> members = new ArrayList<>();
        String speaker = null;
        for (Participant p : m.members()) {
            members.add(new Composition.Member(p.id, p.name, p.kind == Participant.Kind.SIP || p.videoPaused()));
            if (p.speaking) speaker = p.id;
        }
        c.roster(members, m.conference.dominantSpeaker() != null ? m.conference.dominantSpeaker() : speaker);
    }

    /** Output frames the compositions drew and skipped (a busy machine), over live and ended ones. Any thread. */
    long[] ticks(Collection<Meeting> live) {
        long d = drawnDone.sum(), k = skippedDone.sum();
        for (Meeting m : live) {
            Composition c = m.composition;
            if (c != null) { d += c.ticks; k += c.skipped; }
        }
        return new long[] {d, k};
    }
}
