package org.roundtable.signaling.meeting;

/** A request refused with a machine-readable code and a reason for people. */
public final class SignalingException extends Exception {
    public final String code;
    public final int httpStatus;

    public SignalingException(String code, int httpStatus, String message) {
        super(message);
        this.code = code;
        this.httpStatus = httpStatus;
    }
}
