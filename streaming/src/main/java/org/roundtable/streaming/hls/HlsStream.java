package org.roundtable.streaming.hls;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.LiveSink;
import org.roundtable.streaming.LiveTracks;
import org.roundtable.streaming.hls.HlsMetrics.Drop;
import org.roundtable.streaming.hls.HlsSnapshot.Part;
import org.roundtable.streaming.hls.HlsSnapshot.Segment;

/**
 * One live stream's LL-HLS packager and in-memory window, fed by the composition as a {@link LiveSink}.
 * Video frames drive the cuts: a part ends before the frame that would take it past the part target
 * (each part one moof + mdat from {@link Fmp4Muxer}); a segment ends at the first key frame at or after the
 * segment target (half a frame of jitter allowed), or without one when waiting longer would round its
 * EXTINF above the target duration (counted as a forced cut). Each cut publishes a new immutable
 * {@link HlsSnapshot} (window of the last {@code windowSegments} segments, playlist rendered once) through a
 * volatile field and hands the blocked requests it satisfies to the runtime's executor.
 *
 * <p>Threads: {@link #open}, {@link #frame}, {@link #close} on the composition thread: bounded work, no
 * locks, no waiting (a frame costs one copy of its NAL units; a cut one moof + mdat and a playlist of a few
 * kB). Everything else (the HTTP side) reads snapshots on any thread without locks. Always {@link #close}
 * a stream: that ends its playlist (EXT-X-ENDLIST), answers every held request and removes it from the
 * metrics. Segment and part names carry a random stream id, so a restarted stream never reuses a name a
 * CDN may have cached.
 */
public final class HlsStream implements LiveSink {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HlsConfig config;
    private final HlsRuntime runtime;
    private final String id;
    private final HlsStreamStats stats;
    private final Waiters waiters;
    private volatile HlsSnapshot snapshot;

    // Composition thread only.
    private LiveTracks tracks;
    private Fmp4Muxer muxer;
    private byte[] init;
    private boolean opened, started, ended;
    private long origin, wallOrigin, segStart, partStart, lastVideo;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final List<Part> open = new ArrayList<>();
    private long msn;

    public HlsStream(HlsConfig config, HlsRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
        this.id = Long.toString(RANDOM.nextLong() >>> 24, 36);
        this.stats = new HlsStreamStats(runtime.clock());
        this.snapshot = HlsSnapshot.empty(id, config);
        this.waiters = new Waiters(() -> snapshot, runtime.executor(), runtime.timer(), config.blockTimeoutMillis(),
                config.maxWaiters(), runtime.metrics());
        runtime.metrics().add(this);
    }

    @Override
    public void open(LiveTracks tracks) {
        if (opened) throw new IllegalStateException("HlsStream opened twice");
        opened = true;
        this.tracks = tracks;
        init = Fmp4Muxer.initSegment(tracks);
        publish();
    }

    @Override
    public void frame(LiveFrame f) {
        if (!opened || ended) { drop(Drop.NOT_OPEN); return; }
        if (f.video()) video(f); else audio(f);
    }

    private void video(LiveFrame f) {
        long t = f.dtsMicros();
        if (!started) {
            if (!f.key()) { drop(Drop.BEFORE_KEY_FRAME); return; }
            muxer = new Fmp4Muxer(tracks, t);
            if (!muxer.add(f)) { drop(Drop.OUT_OF_ORDER); return; }
            started = true;
            origin = segStart = partStart = lastVideo = t;
            wallOrigin = runtime.clock().millis();
            return;
        }
        if (t <= lastVideo) { drop(Drop.OUT_OF_ORDER); return; }
        long frame = t - lastVideo, seg = t - segStart;
        boolean keyCut = f.key() && seg + frame / 2 >= config.segmentMillis() * 1000L;
        boolean forced = !keyCut && seg + frame > config.maxSegmentMicros();
        boolean partCut = keyCut || forced || t - partStart + frame > config.partMillis() * 1000L;
        if (!muxer.add(f)) { drop(Drop.OUT_OF_ORDER); return; }   // nothing decodable in it
        lastVideo = t;
        if (partCut) cut(t, keyCut || forced, forced);
    }

    private void audio(LiveFrame f) {
        if (!started || f.dtsMicros() < origin) { drop(Drop.BEFORE_KEY_FRAME); return; }
        if (!muxer.add(f)) drop(Drop.OUT_OF_ORDER);
    }

    /** Ends the part being made at program time t (and its segment too when endSegment), then publishes. */
    private void cut(long t, boolean endSegment, boolean forced) {
        Fmp4Muxer.Fragment fr = muxer.fragment(t);
        if (fr != null) addPart(t - partStart, fr);
        partStart = t;
        if (endSegment) {
            endSegment(forced);
            segStart = t;
        }
        publish();
    }

    private void addPart(long durationMicros, Fmp4Muxer.Fragment fr) {
        open.add(new Part(msn, open.size(), durationMicros, fr.independent(), HlsSnapshot.direct(fr.bytes())));
        runtime.metrics().countPart();
    }

    private void endSegment(boolean forced) {
        if (open.isEmpty()) return;
        long duration = 0;
        int size = 0;
        for (Part p : open) {
            duration += p.durationMicros();
            size += p.data().remaining();
        }
        ByteBuffer bytes = ByteBuffer.allocateDirect(size);
        for (Part p : open) bytes.put(p.data().duplicate());
        segments.addLast(new Segment(msn, duration, wallOrigin + (segStart - origin) / 1000, bytes.flip().asReadOnlyBuffer(),
                List.copyOf(open), forced));
        while (segments.size() > config.windowSegments()) segments.removeFirst();
        msn++;
        open.clear();
        runtime.metrics().countSegment(forced);
    }

    /** The program ended: the frames held back become the last part and segment, the playlist gets EXT-X-ENDLIST. */
    @Override
    public void close() {
        if (ended) return;
        ended = true;
        if (started) {
            Fmp4Muxer.Fragment fr = muxer.finish();
            if (fr != null && fr.videoTicks() > 0) addPart(Fmp4Muxer.ticksToMicros(fr.videoTicks()), fr);
            endSegment(false);
        }
        publish();
        runtime.metrics().remove(this);
    }

    private void publish() {
        snapshot = new HlsSnapshot(id, config, init, List.copyOf(segments), List.copyOf(open), msn,
                wallOrigin + (segStart - origin) / 1000, ended);
        waiters.published();
    }

    private void drop(Drop why) { runtime.metrics().countDrop(why); }

    /** The random id in this stream's media names (and the init segment's version). */
    public String id() { return id; }

    public HlsStreamStats stats() { return stats; }

    /** Whether {@link #close} was called (the playlist is final). */
    public boolean isEnded() { return snapshot.ended; }

    /** Requests this stream holds now (blocking reloads and preload-hint requests). */
    public int waiting() { return waiters.size(); }

    HlsConfig config() { return config; }

    HlsSnapshot snapshot() { return snapshot; }

    /** Holds a request until a snapshot satisfies it (see {@link Waiters}); false when too many are held. */
    boolean await(Waiters.Waiter w) { return waiters.add(w); }
}
