package org.roundtable.streaming.hls;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Writes the LL-HLS media playlist of a snapshot (RFC 8216bis; FFmpeg writes no LL-HLS): the header with
 * EXT-X-SERVER-CONTROL (blocking reload, PART-HOLD-BACK = 3 part targets) and EXT-X-PART-INF, EXT-X-MAP,
 * then per segment its EXT-X-PROGRAM-DATE-TIME, its EXT-X-PART lines while it is within three target
 * durations of the live edge, EXTINF and URI; then the parts of the segment being made and a preload hint
 * for the next part, or EXT-X-ENDLIST. Plain HLS clients ignore the part tags and play the segments.
 * Version 6: the lowest that allows EXT-X-MAP in a media playlist; the LL-HLS tags add no version
 * requirement (only EXT-X-SKIP, which we do not use, needs 9). Pure function; the composition thread.
 */
final class PlaylistWriter {
    static final int VERSION = 6;
    private static final DateTimeFormatter PDT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    private PlaylistWriter() {}

    static byte[] write(HlsSnapshot s) {
        HlsConfig c = s.config;
        StringBuilder b = new StringBuilder(512 + 160 * s.segments.size() + 96 * 4 * c.partsPerSegment());
        b.append("#EXTM3U\n#EXT-X-VERSION:").append(VERSION).append('\n');
        b.append("#EXT-X-TARGETDURATION:").append(c.targetDurationSeconds()).append('\n');
        b.append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=");
        seconds(b, 3L * c.partMillis() * 1000).append('\n');
        b.append("#EXT-X-PART-INF:PART-TARGET=");
        seconds(b, c.partMillis() * 1000L).append('\n');
        b.append("#EXT-X-MEDIA-SEQUENCE:").append(s.firstMsn()).append('\n');
        b.append("#EXT-X-MAP:URI=\"init.mp4?v=").append(s.id).append("\"\n");
        long partsHorizon = 3_000_000L * c.targetDurationSeconds();
        long fromEnd = 0;                                   // from a segment's end to the playlist's end
        for (HlsSnapshot.Part p : s.open) fromEnd += p.durationMicros();
        long[] ends = new long[s.segments.size()];
        for (int i = s.segments.size() - 1; i >= 0; i--) {
            ends[i] = fromEnd;
            fromEnd += s.segments.get(i).durationMicros();
        }
        for (int i = 0; i < s.segments.size(); i++) {
            HlsSnapshot.Segment seg = s.segments.get(i);
            pdt(b, seg.pdtMillis());
            if (ends[i] < partsHorizon && !s.ended) parts(b, s, seg.parts());
            b.append("#EXTINF:");
            seconds(b, seg.durationMicros()).append(",\n").append(s.segmentName(seg.msn())).append('\n');
        }
        if (s.ended) {
            b.append("#EXT-X-ENDLIST\n");
        } else if (s.init != null) {
            if (!s.open.isEmpty()) {
                pdt(b, s.openPdtMillis);
                parts(b, s, s.open);
            }
            b.append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"").append(s.partName(s.nextMsn, s.open.size())).append("\"\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void parts(StringBuilder b, HlsSnapshot s, List<HlsSnapshot.Part> parts) {
        for (HlsSnapshot.Part p : parts) {
            b.append("#EXT-X-PART:DURATION=");
            seconds(b, p.durationMicros()).append(",URI=\"").append(s.partName(p.msn(), p.index())).append('"');
            if (p.independent()) b.append(",INDEPENDENT=YES");
            b.append('\n');
        }
    }

    private static void pdt(StringBuilder b, long millis) {
        b.append("#EXT-X-PROGRAM-DATE-TIME:").append(PDT.format(Instant.ofEpochMilli(millis))).append('\n');
    }

    /** Microseconds as seconds with five decimals (rounded to the nearest 10 us). */
    static StringBuilder seconds(StringBuilder b, long micros) {
        long v = (micros + 5) / 10;
        long frac = v % 100_000;
        b.append(v / 100_000).append('.');
        for (long d = 10_000; d > 1 && frac < d; d /= 10) b.append('0');
        return b.append(frac);
    }
}
