package org.roundtable.mixer.av;

import java.io.IOException;

/**
 * An FFmpeg call that failed, with its negative {@code AVERROR} code and FFmpeg's own words for it.
 * An {@link IOException} so that a recorder's caller can catch a full disk or a vanished directory and
 * stop the recording without stopping the meeting. Thread: any (immutable).
 */
public class AvException extends IOException {
    private static final long serialVersionUID = 1L;
    /** {@code AVERROR(ENOSPC)} on Linux. */
    public static final int ENOSPC = -28;
    /** {@code AVERROR(EIO)} on Linux. */
    public static final int EIO = -5;
    private final int code;

    public AvException(String what, int code) {
        super(what + ": " + AvLibrary.errorString(code) + " (" + code + ")");
        this.code = code;
    }

    /** The negative FFmpeg error code. */
    public int code() { return code; }

    /** Whether the disk (or quota) is full: the recording cannot go on on this volume. */
    public boolean isDiskFull() { return code == ENOSPC; }
}
