package org.roundtable.signaling.meeting;

/**
 * A meeting's live stream (built-in LL-HLS at the live link, RTMP pushes), fed by the meeting's shared
 * composition. Thread: the meeting's executor.
 */
final class MeetingLive {
    /** A live stream in progress. */
    static final class Active {
    }
}
