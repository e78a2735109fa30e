package org.roundtable.bridge.rtp;

/**
 * DTMF over RTP (RFC 4733 telephone-event): each key press is one event identified by its RTP
 * timestamp, sent as several packets (growing duration, then three with the end bit). The receiver
 * reports each key once, on the first packet it sees of a new event, so a lost first packet or
 * repeated end packets change nothing. Thread: one receiver per stream, on that stream's thread.
 */
public final class Rfc4733 {
    private long lastTs = -1;
    private int lastEvent = -1;
    public long malformed;

    /** Key for an event code: 0-9, *, #, A-D; 0 for other events (e.g. tones), which are not keys. */
    public static char key(int event) {
        if (event >= 0 && event <= 9) return (char) ('0' + event);
        return switch (event) {
            case 10 -> '*';
            case 11 -> '#';
            case 12, 13, 14, 15 -> (char) ('A' + event - 12);
            default -> 0;
        };
    }

    /** The key of a new event in this packet, or 0 (repeat of an event already reported, not a key, malformed). */
    public char onPacket(long rtpTs, byte[] p, int off, int len) {
        if (len < 4) { malformed++; return 0; }
        int event = p[off] & 0xFF;
        if (rtpTs == lastTs && event == lastEvent) return 0;
        lastTs = rtpTs;
        lastEvent = event;
        return key(event);
    }

    /** Builds one RFC 4733 payload (4 bytes). */
    public static byte[] payload(int event, boolean end, int volume, int duration) {
        return new byte[] {(byte) event, (byte) ((end ? 0x80 : 0) | (volume & 0x3F)), (byte) (duration >> 8), (byte) duration};
    }
}
