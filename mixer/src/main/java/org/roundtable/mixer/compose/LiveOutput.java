package org.roundtable.mixer.compose;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.roundtable.mixer.av.AacEncoder;
import org.roundtable.mixer.av.EncodedPacket;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.LiveSink;
import org.roundtable.streaming.LiveTracks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The program's live outputs (the HLS stream, each RTMP push): every encoded packet is copied once into
 * an immutable {@link LiveFrame} that all of them share. A sink added later is opened with the tracks
 * (SPS/PPS from the encoder's header, the AAC config) and fed from the next key frame, with the sound of
 * that moment (which the program replays: the pictures lag the sound by the sync delay).
 * Sinks must not block (see {@link LiveSink}); one that throws is dropped.
 * Thread: the composition thread.
 */
final class LiveOutput implements Program.Sink {
    private static final Logger LOG = LoggerFactory.getLogger(LiveOutput.class);

    private final Composition.Config cfg;
    private final List<Entry> sinks = new ArrayList<>();
    private long lastMicros = -1;

    private static final class Entry {
        final LiveSink sink;
        boolean started;
        Entry(LiveSink sink) { this.sink = sink; }
    }

    LiveOutput(Composition.Config cfg) { this.cfg = cfg; }

    /** Opens a sink with the program's tracks; it is fed from the next key frame. */
    void add(LiveSink sink, Program program) {
        byte[][] ps = parameterSets(program.videoEncoder().extradata());
        AacEncoder a = program.audioEncoder();
        sink.open(new LiveTracks(cfg.width(), cfg.height(), cfg.fps(), ps[0], ps[1], AacEncoder.SAMPLE_RATE, a.channels(), a.extradata()));
        sinks.add(new Entry(sink));
        program.requestKeyFrame();
    }

    /** Closes and forgets a sink. Returns whether any remain. */
    boolean remove(LiveSink sink) {
        for (int i = 0; i < sinks.size(); i++) {
            if (sinks.get(i).sink == sink) {
                sinks.remove(i);
                closeQuietly(sink);
                break;
            }
        }
        return !sinks.isEmpty();
    }

    @Override public boolean wantsVideo() { return true; }

    @Override public void video(EncodedPacket p, Program program) {
        if (sinks.isEmpty()) return;
        LiveFrame f = LiveFrame.video(p.copyData(), p.ptsMicros(), p.isKey());
        lastMicros = Math.max(lastMicros, f.ptsMicros());
        for (int i = 0; i < sinks.size(); i++) {
            Entry e = sinks.get(i);
            if (!e.started) {
                if (!f.key()) continue;
                e.started = true;
                try {
                    program.replayAudio(f.ptsMicros(), a -> deliver(e, LiveFrame.audio(a.copyData(), a.ptsMicros())));
                } catch (java.io.IOException x) {
                    throw new IllegalStateException(x);
                }
            }
            deliver(e, f);
        }
    }

    @Override public void audio(EncodedPacket p, Program program) {
        if (sinks.isEmpty()) return;
        LiveFrame f = null;
        for (int i = 0; i < sinks.size(); i++) {
            Entry e = sinks.get(i);
            if (!e.started) continue;
            if (f == null) f = LiveFrame.audio(p.copyData(), p.ptsMicros());
            deliver(e, f);
        }
    }

    private void deliver(Entry e, LiveFrame f) {
        try {
            e.sink.frame(f);
        } catch (RuntimeException x) {
            LOG.warn("live output {} failed; dropped", e.sink, x);
            sinks.remove(e);
            closeQuietly(e.sink);
        }
    }

    @Override public void fail(String reason) {
        LOG.warn("live outputs end: {}", reason);
        for (Entry e : List.copyOf(sinks)) closeQuietly(e.sink);
        sinks.clear();
    }

    @Override public long durationMs() { return lastMicros / 1000; }

    @Override public void close() {
        for (Entry e : List.copyOf(sinks)) closeQuietly(e.sink);
        sinks.clear();
    }

    private static void closeQuietly(LiveSink s) {
        try { s.close(); } catch (RuntimeException e) { LOG.warn("closing live output {}", s, e); }
    }

    /**
     * SPS and PPS (NAL units without start codes) from an H.264 global header in either form: an
     * avcC record (first byte 1) or Annex B (start codes).
     */
    static byte[][] parameterSets(byte[] x) {
        byte[] sps = null, pps = null;
        if (x.length > 7 && x[0] == 1) {
            int i = 5, n = x[i++] & 0x1f;
            for (int k = 0; k < n; k++) {
                int len = ((x[i] & 0xff) << 8) | (x[i + 1] & 0xff);
                if (sps == null) sps = Arrays.copyOfRange(x, i + 2, i + 2 + len);
                i += 2 + len;
            }
            n = x[i++] & 0xff;
            for (int k = 0; k < n; k++) {
                int len = ((x[i] & 0xff) << 8) | (x[i + 1] & 0xff);
                if (pps == null) pps = Arrays.copyOfRange(x, i + 2, i + 2 + len);
                i += 2 + len;
            }
        } else {
            List<int[]> nals = new ArrayList<>();
            for (int i = 0; i + 3 <= x.length; i++) {
                if (x[i] == 0 && x[i + 1] == 0 && x[i + 2] == 1) { nals.add(new int[] {i, i + 3}); i += 2; }
            }
            for (int k = 0; k < nals.size(); k++) {
                int start = nals.get(k)[1];
                int end = k + 1 < nals.size() ? nals.get(k + 1)[0] : x.length;
                while (end > start && x[end - 1] == 0) end--;
                int type = x[start] & 0x1f;
                if (type == 7 && sps == null) sps = Arrays.copyOfRange(x, start, end);
                if (type == 8 && pps == null) pps = Arrays.copyOfRange(x, start, end);
            }
        }
        if (sps == null || pps == null) throw new IllegalStateException("no SPS/PPS in the encoder's header");
        return new byte[][] {sps, pps};
    }
}
