package org.roundtable.streaming.hls;

/**
 * What the server says of a stream token, for {@link HlsHandler}: the stream (FOUND), a token that was
 * valid and has been revoked (403), or one never issued or long gone (404). Immutable; any thread.
 */
public record HlsLookup(Status status, HlsStream stream) {
    public enum Status { FOUND, REVOKED, UNKNOWN }

    private static final HlsLookup REVOKED = new HlsLookup(Status.REVOKED, null);
    private static final HlsLookup UNKNOWN = new HlsLookup(Status.UNKNOWN, null);

    public HlsLookup {
        if ((status == Status.FOUND) != (stream != null)) throw new IllegalArgumentException("a stream exactly when FOUND");
    }

    public static HlsLookup found(HlsStream stream) { return new HlsLookup(Status.FOUND, stream); }

    public static HlsLookup revoked() { return REVOKED; }

    public static HlsLookup unknown() { return UNKNOWN; }
}
