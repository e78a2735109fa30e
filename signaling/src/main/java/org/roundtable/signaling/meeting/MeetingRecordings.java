package org.roundtable.signaling.meeting;

import java.nio.file.Path;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.mixer.compose.Composition;
import org.roundtable.recorder.Recording;
import org.roundtable.recorder.RecordingService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recording a meeting: on start, the meeting's composition ({@link MeetingCompositions}, shared with the
 * live stream) writes a fragmented MP4 through the {@link RecordingService}, which keeps the file's row;
 * on stop, the file is finalised and the composition given back. A meeting nobody sees (no video source
 * at all, nobody who could send one) records a sound file. Thread: the meeting's executor.
 */
final class MeetingRecordings {
    private static final Logger LOG = LoggerFactory.getLogger(MeetingRecordings.class);
    private final RecordingService service;
    private final MeetingCompositions compositions;

    /** A recording in progress: its row and the composition writing it. */
    static final class Active {
        final Recording row;
        final Composition composition;
        final String by;
        Active(Recording row, Composition composition, String by) { this.row = row; this.composition = composition; this.by = by; }
    }

    MeetingRecordings(RecordingService service, MeetingCompositions compositions) {
        this.service = service;
        this.compositions = compositions;
    }

    boolean available() { return service != null; }

    /** Starts recording m for the user who asked (the file's creator: user id may be null, name for people). On exec. */
    Active start(Meeting m, String byUser, String byName, String meetingNumber) throws SignalingException {
        if (service == null) throw new SignalingException("recording_unavailable", 503, "recording is not enabled on this server");
        // nobody shows video and nobody can (phones and audio-only members): a sound file
        boolean audioOnly = true;
        for (MediaSource s : m.conference.sources()) if (s.kind == MediaKind.VIDEO) audioOnly = false;
        for (Participant p : m.members()) if (p.kind == Participant.Kind.WEB && p.videoOn) audioOnly = false;
        final boolean soundOnly = audioOnly;
        Composition c = compositions.acquire(m);
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
            m.recording = null;
            compositions.release(m);
            throw new SignalingException(e.code, e.code.equals("disk_full") ? 507 : 500, e.getMessage());
        }
        Active a = new Active(row, c, byName);
        m.recording = a;
        return a;
    }

    /** Stops m's recording cleanly; the file is finalised before this returns. On exec. */
    Recording stop(Meeting m) {
        Active a = m.recording;
        if (a == null) return null;
        m.recording = null;
        Recording done;
        try {
            done = service.stop(a.row.id());
        } catch (RecordingService.RecorderException e) {
            done = service.find(a.row.id()).orElse(a.row);      // it had stopped by itself already
        }
        compositions.release(m);
        return done;
    }

    /** Where a recording's file is kept (for logs). */
    Path fileOf(Recording r) { return service.fileOf(r); }
}
