package org.roundtable.recorder;

/**
 * One recorded file: a row in the registry database. file is relative to the recordings directory.
 * kind: "composed" (the meeting's picture and mix), "audio" (an audio-only meeting's mix), "track" (one
 * member's raw track). Immutable.
 */
public record Recording(String id, String meetingId, String meetingNumber, String creatorId, String creatorName, String kind,
                        String file, String mime, long startedMs, Long stoppedMs, Long durationMs, Long bytes, String state, String reason) {
    public static final String RECORDING = "recording", COMPLETE = "complete", INTERRUPTED = "interrupted", FAILED = "failed";

    public Recording finished(long stoppedMs, long durationMs, long bytes, String state, String reason) {
        return new Recording(id, meetingId, meetingNumber, creatorId, creatorName, kind, file, mime, startedMs, stoppedMs, durationMs, bytes, state, reason);
    }
}
