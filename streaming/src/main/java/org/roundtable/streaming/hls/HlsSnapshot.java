package org.roundtable.streaming.hls;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One published state of an {@link HlsStream}: the init segment, the complete segments of the window, the
 * parts of the segment being made, and the playlist text rendered once for all its readers. Immutable:
 * made on the composition thread, read by any number of HTTP threads through one volatile field.
 */
final class HlsSnapshot {
    /**
     * A partial segment (a moof + mdat); msn is its parent segment's media sequence number. Its bytes are
     * in a read-only direct buffer that every response duplicates (sockets write it without a copy).
     */
    record Part(long msn, int index, long durationMicros, boolean independent, ByteBuffer data) {
        byte[] bytes() { return copy(data); }
    }

    /** A complete segment: its parts' bytes in one direct buffer; pdtMillis is its EXT-X-PROGRAM-DATE-TIME. */
    record Segment(long msn, long durationMicros, long pdtMillis, ByteBuffer data, List<Part> parts, boolean forced) {
        byte[] bytes() { return copy(data); }
    }

    /** A read-only direct buffer holding these bytes. */
    static ByteBuffer direct(byte[] b) { return ByteBuffer.allocateDirect(b.length).put(b).flip().asReadOnlyBuffer(); }

    static byte[] copy(ByteBuffer data) {
        byte[] b = new byte[data.remaining()];
        data.duplicate().get(b);
        return b;
    }

    final String id;
    final HlsConfig config;
    /** Null until the stream is opened. */
    final byte[] init;
    final List<Segment> segments;
    final List<Part> open;
    /** The media sequence number of the segment being made (one more than the last complete one). */
    final long nextMsn;
    final long openPdtMillis;
    final boolean ended;
    final byte[] playlist;

    HlsSnapshot(String id, HlsConfig config, byte[] init, List<Segment> segments, List<Part> open, long nextMsn,
                long openPdtMillis, boolean ended) {
        this.id = id;
        this.config = config;
        this.init = init;
        this.segments = segments;
        this.open = open;
        this.nextMsn = nextMsn;
        this.openPdtMillis = openPdtMillis;
        this.ended = ended;
        this.playlist = PlaylistWriter.write(this);
    }

    static HlsSnapshot empty(String id, HlsConfig config) {
        return new HlsSnapshot(id, config, null, List.of(), List.of(), 0, 0, false);
    }

    long firstMsn() { return segments.isEmpty() ? nextMsn : segments.get(0).msn(); }

    /** A complete segment still in the window, or null. */
    Segment segment(long msn) {
        long i = msn - firstMsn();
        return i >= 0 && i < segments.size() ? segments.get((int) i) : null;
    }

    /** A part still kept (of a segment in the window or of the one being made), or null. */
    Part part(long msn, int index) {
        if (index < 0) return null;
        if (msn == nextMsn) return index < open.size() ? open.get(index) : null;
        Segment s = segment(msn);
        return s != null && index < s.parts().size() ? s.parts().get(index) : null;
    }

    /**
     * Whether this playlist satisfies a blocking request for segment msn (part &lt; 0: the whole segment) or
     * for part {@code part} of it; a part index past a complete segment's last means part 0 of the next.
     * An ended stream satisfies everything (its playlist is final).
     */
    boolean has(long msn, int part) {
        if (ended) return true;
        if (part < 0) return msn < nextMsn;
        if (msn < nextMsn) {
            Segment s = segment(msn);
            return s == null || part < s.parts().size() || has(msn + 1, 0);
        }
        return msn == nextMsn && part < open.size();
    }

    /**
     * Whether a blocking request asks for too far ahead (400): a segment more than two after the last
     * complete one, or a part more than the Advance Part Limit after the last part.
     */
    boolean tooFar(long msn, int part) {
        if (msn > nextMsn + 1) return true;
        if (part < 0 || msn < nextMsn) return false;
        long pps = config.partsPerSegment();
        long last = nextMsn * pps + open.size() - 1;
        return msn * pps + part - last > config.advancePartLimit();
    }

    /** Whether this is the part the playlist's preload hint names (a request for it waits until it is made). */
    boolean isHinted(long msn, int index) { return !ended && init != null && msn == nextMsn && index == open.size(); }

    String segmentName(long msn) { return "seg" + msn + "." + id + ".m4s"; }

    String partName(long msn, int index) { return "part" + msn + "." + index + "." + id + ".m4s"; }
}
