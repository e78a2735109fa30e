package org.roundtable.streaming.hls;

import java.util.ArrayList;
import java.util.List;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.LiveTracks;

/**
 * Our CMAF fMP4 writer for one live program: {@link #initSegment} once, then {@link #add} every frame
 * and {@link #fragment} whenever the packager cuts a part; each fragment is one moof (mfhd, then one traf
 * per track with samples: tfhd default-base-is-moof, tfdt, trun with per-sample duration, size, flags and
 * the data offset) and its mdat. Video runs at 90 kHz, audio at its sample rate, both counted from the
 * program time {@code originMicros} (so A/V offsets survive). A sample's duration is the distance to the
 * next frame of its track, so each track holds its latest frame back until the next one arrives; thus every
 * tfdt is the previous tfdt plus the durations written before it. Video access units become 4-byte
 * length-prefixed NAL units without AUD/SPS/PPS; audio frames are written as they are.
 * Thread: the composition thread (through {@link HlsStream}); not thread-safe.
 */
final class Fmp4Muxer {
    static final int SYNC = 0x02000000;          // sample_depends_on = 2 (an I frame)
    static final int NON_SYNC = 0x01010000;      // sample_depends_on = 1, sample_is_non_sync_sample
    static final int TRUN_FLAGS = 0x000701;      // data offset, sample duration, size and flags present
    static final int TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;

    /** One finished sample: its bytes, decode time and duration in its track's timescale. */
    record Sample(byte[] data, long time, int duration, boolean sync, long ptsMicros) {}

    /** A moof + mdat; {@code videoStart}/{@code videoTicks} are 90 kHz; independent: starts with a sync video sample. */
    record Fragment(byte[] bytes, long videoStart, long videoTicks, int videoSamples, int audioSamples, boolean independent) {}

    private final long originMicros;
    private final Track video, audio;
    private int sequence = 1;

    Fmp4Muxer(LiveTracks tracks, long originMicros) {
        this.originMicros = originMicros;
        this.video = new Track(InitSegment.VIDEO_TRACK, InitSegment.VIDEO_TIMESCALE, Math.max(1, InitSegment.VIDEO_TIMESCALE / tracks.fps()));
        this.audio = new Track(InitSegment.AUDIO_TRACK, tracks.sampleRate(), 1024);
    }

    /** The init segment (ftyp + moov) of a program with these tracks. */
    static byte[] initSegment(LiveTracks tracks) { return InitSegment.build(tracks); }

    /**
     * Takes a frame (held back until its track's next frame gives its duration). False when it is dropped:
     * before the origin, or not later (in its track's timescale) than the frame before it.
     */
    boolean add(LiveFrame f) {
        if (f.dtsMicros() < originMicros) return false;
        Track t = f.video() ? video : audio;
        long time = t.ticks(f.dtsMicros() - originMicros);
        if (t.held != null && time <= t.heldTime) return false;
        byte[] data = f.video() ? AnnexB.toLengthPrefixed(f.data()) : f.data();
        if (data.length == 0) return false;
        if (t.held != null) t.release(time);
        t.held = data;
        t.heldTime = time;
        t.heldSync = !f.video() || f.key();
        t.heldPts = f.ptsMicros();
        return true;
    }

    /**
     * A fragment of every finished video sample and the finished audio samples that start before
     * {@code untilMicros} (program time); null when there is none.
     */
    Fragment fragment(long untilMicros) {
        List<Sample> v = video.take(Long.MAX_VALUE), a = audio.take(untilMicros);
        if (v.isEmpty() && a.isEmpty()) return null;
        int data = 0;
        for (Sample s : v) data += s.data.length;
        for (Sample s : a) data += s.data.length;
        Mp4Writer w = new Mp4Writer(256 + 12 * (v.size() + a.size()) + data);
        w.begin("moof");
        w.full("mfhd", 0, 0).u32(sequence++).end();
        int vOffsetAt = traf(w, video.id, v), aOffsetAt = traf(w, audio.id, a);
        w.end();
        int moofSize = w.position();
        int vBytes = 0;
        for (Sample s : v) vBytes += s.data.length;
        if (vOffsetAt >= 0) w.putU32(vOffsetAt, moofSize + 8);
        if (aOffsetAt >= 0) w.putU32(aOffsetAt, moofSize + 8 + vBytes);
        w.begin("mdat");
        for (Sample s : v) w.bytes(s.data);
        for (Sample s : a) w.bytes(s.data);
        w.end();
        long vTicks = 0;
        for (Sample s : v) vTicks += s.duration;
        return new Fragment(w.toByteArray(), v.isEmpty() ? video.nextTime() : v.get(0).time, vTicks, v.size(), a.size(),
                !v.isEmpty() && v.get(0).sync);
    }

    /** Ends the program: the held frames get their track's last duration; the fragment of all that is left (or null). */
    Fragment finish() {
        video.releaseLast();
        audio.releaseLast();
        return fragment(Long.MAX_VALUE);
    }

    /** 90 kHz ticks as microseconds. */
    static long ticksToMicros(long ticks) { return ticks * 1_000_000L / InitSegment.VIDEO_TIMESCALE; }

    /** traf of one track's samples; returns the position of trun's data_offset to patch (-1: no samples, no traf). */
    private static int traf(Mp4Writer w, int track, List<Sample> samples) {
        if (samples.isEmpty()) return -1;
        w.begin("traf");
        w.full("tfhd", 0, TFHD_DEFAULT_BASE_IS_MOOF).u32(track).end();
        w.full("tfdt", 1, 0).u64(samples.get(0).time).end();
        w.full("trun", 0, TRUN_FLAGS).u32(samples.size());
        int offsetAt = w.position();
        w.u32(0);
        for (Sample s : samples) w.u32(s.duration & 0xffffffffL).u32(s.data.length).u32((s.sync ? SYNC : NON_SYNC) & 0xffffffffL);
        w.end().end();
        return offsetAt;
    }

    /** One track's timeline: the frame held back and the finished samples not yet written. */
    private static final class Track {
        final int id;
        final long timescale;
        final int nominalDuration;
        final ArrayList<Sample> ready = new ArrayList<>();
        byte[] held;
        long heldTime, heldPts;
        boolean heldSync;
        int lastDuration;
        long written;        // decode time after the last sample released

        Track(int id, long timescale, int nominalDuration) {
            this.id = id;
            this.timescale = timescale;
            this.nominalDuration = nominalDuration;
        }

        long ticks(long micros) { return (micros * timescale + 500_000) / 1_000_000; }

        void release(long nextTime) {
            int d = (int) Math.min(Integer.MAX_VALUE, nextTime - heldTime);
            ready.add(new Sample(held, heldTime, d, heldSync, heldPts));
            lastDuration = d;
            written = heldTime + d;
            held = null;
        }

        void releaseLast() {
            if (held != null) release(heldTime + (lastDuration > 0 ? lastDuration : nominalDuration));
        }

        long nextTime() { return held != null ? heldTime : written; }

        List<Sample> take(long untilMicros) {
            int n = 0;
            while (n < ready.size() && ready.get(n).ptsMicros < untilMicros) n++;
            if (n == 0) return List.of();
            List<Sample> out = new ArrayList<>(ready.subList(0, n));
            ready.subList(0, n).clear();
            return out;
        }
    }
}
