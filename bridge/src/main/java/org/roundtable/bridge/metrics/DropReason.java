package org.roundtable.bridge.metrics;

/** Why a packet was not forwarded; each is a label value of {@code roundtable_packets_dropped_total}. */
public enum DropReason {
    MALFORMED_RTP, MALFORMED_RTCP, MALFORMED_STUN, UNKNOWN_PROTOCOL, NO_ENDPOINT, STUN_UNKNOWN_USER, STUN_BAD_INTEGRITY,
    NOT_CONNECTED, SRTP_AUTH, SRTP_REPLAY, UNKNOWN_SSRC, PADDING, WAIT_KEYFRAME, DTLS_QUEUE_FULL, DTLS_UNEXPECTED,
    SEND_FAILED, HOST_MUTED,
    /** A phone leg's packet from anyone but the one sender it latched to (RTP bleed). */
    FOREIGN_SOURCE,
    /** NACKed packets not re-sent: the receiver's per-second budget is spent. */
    NACK_OVER_BUDGET,
    /** NACKed packets not re-sent: already re-sent to this receiver within the last round trip. */
    NACK_RECENTLY_SENT;

    public final String label = name().toLowerCase();
}
