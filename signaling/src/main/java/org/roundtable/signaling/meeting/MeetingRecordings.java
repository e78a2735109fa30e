package org.roundtable.signaling.meeting;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.mixer.compose.Composition;
import org.roundtable.recorder.Recording;
import org.roundtable.recorder.RecordingService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recording a meeting: on start, the meeting's composition (its members' cameras and content as ordinary
 * router subscriptions, the meeting mix as its sound) writes a fragmented MP4 through the
 * {@link RecordingService}, which keeps the file's row; the roster (names, who speaks, who shares, who has
 * no camera) follows the meeting; on stop, the file is finalised. A meeting nobody sees (no video source
 * at all) still records: every member is a name tile. Thread: the meeting's executor.
 */
final class MeetingRecordings {
    private static final Logger LOG = LoggerFactory.getLogger(MeetingRecordings.class);
    private final RecordingService service;
    private final Composition.Config config;
    private final Bridge bridge;
    private final PhoneMedia phones;

    /** A recording in progress: its row and the composition writing it. */
    static final class Active {
        final Recording row;
        final Composition composition;
        final String by;
        Active(Recording row, Composition composition, String by) { this.row = row; this.composition = composition; this.by = by; }
    }

    MeetingRecordings(RecordingService service, Composition.Config config, Bridge bridge, PhoneMedia phones) {
        this.service = service;
        this.config = config;
        this.bridge = bridge;
        this.phones = phones;
    }

    boolean available() { return service != null; }

    /** Starts recording m for the user who asked (the file's creator: user id may be null, name for people). On exec. */
    Active start(Meeting m, String byUser, String byName, String meetingNumber) throws SignalingException {
        if (service == null) throw new SignalingException("recording_unavailable", 503, "recording is not enabled on this server");
        Composition c = new Composition(m.id, config, m.conference, bridge::execute, bridge::nowMs);
        MeetingAudio audio = phones.audio(m);
        // nobody shows video and nobody can (phones and audio-only members): a sound file
        boolean audioOnly = true;
        for (MediaSource s : m.conference.sources()) if (s.kind == MediaKind.VIDEO) audioOnly = false;
        for (Participant p : m.members()) if (p.kind == Participant.Kind.WEB && p.videoOn) audioOnly = false;
        final boolean soundOnly = audioOnly;
        Recording row;
        try {
            row = service.start(m.id, meetingNumber, byUser, byName, audioOnly ? "audio" : "composed",
                    (file, onFailure) -> {
                        Composition.Output out = c.record(file, soundOnly, onFailure);
                        return new RecordingService.Job() {
                            @Override public void stop() throws Exception { out.stop(); }
                            @Override public long durationMs() { return out.durationMs(); }
                        };
                    });
        } catch (RecordingService.RecorderException e) {
            c.close();
            m.recording = null;
            phones.releaseAudio(m, null);
            throw new SignalingException(e.code, e.code.equals("disk_full") ? 507 : 500, e.getMessage());
        }
        audio.mixer.addPcmListener(c.audioInput());
        c.audioTimes(audio);
        Active a = new Active(row, c, byName);
        m.recording = a;
        follow(m);
        roster(m);
        return a;
    }

    /** Stops m's recording cleanly; the file is finalised before this returns. On exec. */
    Recording stop(Meeting m) {
        Active a = m.recording;
        if (a == null) return null;
        m.recording = null;
        if (m.audio != null) m.audio.mixer.removePcmListener(a.composition.audioInput());
        Recording done;
        try {
            done = service.stop(a.row.id());
        } catch (RecordingService.RecorderException e) {
            done = service.find(a.row.id()).orElse(a.row);      // it had stopped by itself already
        }
        a.composition.close();
        drawnDone.add(a.composition.ticks);
        skippedDone.add(a.composition.skipped);
        phones.releaseAudio(m, null);
        return done;
    }

    /** The conference's sources changed: the composition follows its video. On exec. */
    void follow(Meeting m) {
        Active a = m.recording;
        if (a == null) return;
        List<MediaSource> video = new ArrayList<>();
        for (MediaSource s : m.conference.sources()) if (s.kind == MediaKind.VIDEO) video.add(s);
        a.composition.follow(video);
    }

    /** Members, names, the speaker and the sharer changed: the layout follows. On exec. */
    void roster(Meeting m) {
        Active a = m.recording;
        if (a == null) return;
        List<Composition.Member> members = new ArrayList<>();
        String speaker = null;
        for (Participant p : m.members()) {
            members.add(new Composition.Member(p.id, p.name, p.kind == Participant.Kind.SIP || p.videoPaused()));
            if (p.speaking) speaker = p.id;
        }
        a.composition.roster(members, m.conference.dominantSpeaker() != null ? m.conference.dominantSpeaker() : speaker);
    }

    /** Ticks drawn and skipped by compositions that have ended (so the counters never go down). */
    private final java.util.concurrent.atomic.LongAdder drawnDone = new java.util.concurrent.atomic.LongAdder(),
            skippedDone = new java.util.concurrent.atomic.LongAdder();

    /** Output frames the compositions drew and skipped (a busy machine), over live and ended ones. Any thread. */
    long[] ticks(java.util.Collection<Meeting> live) {
        long d = drawnDone.sum(), k = skippedDone.sum();
        for (Meeting m : live) {
            Active a = m.recording;
            if (a != null) { d += a.composition.ticks; k += a.composition.skipped; }
        }
        return new long[] {d, k};
    }

    /** Where a recording's file is kept (for logs). */
    Path fileOf(Recording r) { return service.fileOf(r); }
}
