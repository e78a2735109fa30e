package org.roundtable.mixer;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.bridge.router.Subscription;
import org.roundtable.bridge.rtp.RtpPacket;

/**
 * The audio MCU for one meeting: on a fixed 20 ms tick, each input's jitter buffer gives a frame; the
 * loudest N inputs (RFC 6464 levels where the sender gives them, else decoded energy) are decoded and
 * summed; each listener hears that mix minus their own voice, clipped softly; and each distinct mix is
 * encoded once per codec, so listeners who hear the same thing share one encode (everyone who is not
 * among the loudest shares the full mix). Inputs are ordinary router {@link Subscription}s; outputs
 * go to an {@link Output} (an RTP sender for a phone leg, or a publisher).
 * Thread: inputs are fed on the media loop (a copy into a lock-free ring of preallocated slots);
 * everything else runs on the tick.
 */
public final class AudioMixer implements AutoCloseable {
    /** Where a listener's encoded frames go. The payload array is reused after the call: copy to keep. */
    public interface Output { void frame(byte[] payload, int len, long rtpTimestamp); }

    /**
     * Hears the full mix (everyone, no one left out) as 48 kHz mono PCM, one 20 ms frame per tick: the
     * recording and the live stream. The array is reused after the call: copy to keep. On the tick.
     */
    public interface PcmListener { void pcm(short[] frame, int speakers); }

    public static final int DEFAULT_SPEAKERS = 3;
    private final int maxSpeakers;
    private final int opusComplexity;
    private final List<Input> inputs = new CopyOnWriteArrayList<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<PcmListener> pcmListeners = new CopyOnWriteArrayList<>();
    private ScheduledFuture<?> task;
    private final java.util.Random noise = new java.util.Random(7);
    public long ticks, encodes, decodes;

    public AudioMixer(int maxSpeakers, int opusComplexity) {
        this.maxSpeakers = maxSpeakers;
        this.opusComplexity = opusComplexity;
    }

    /** One participant's voice. Feed it with {@link #onRtp} (or push() in tests and benchmarks). */
    public final class Input implements Subscription {
        public final String id;
        private final AudioCodec decoder;
        private final JitterBuffer jitter = new JitterBuffer();
        private final PacketRing inbox = new PacketRing();
        private final int audioLevelExtId;
        final short[] pcm = new short[AudioCodec.FRAME];
        byte[] frame;
        int frameLen, frameLevel;
        boolean selected;
        /** 0 .. 127 (loudest): from RFC 6464 or measured. */
        int level;
        /** The RTP time of the frame mixed last and the tick (System.nanoTime) that mixed it: A/V sync. */
        private volatile long mixedTs, mixedAtNanos = -1;

        /**
         * Where this input's sound is in the mix: fills out[0] with the RTP time stamp of the frame the
         * last tick played and out[1] with that tick's System.nanoTime; false before the first frame. Any thread.
         */
        public boolean mixed(long[] out) {
            long at, ts;
            do { at = mixedAtNanos; ts = mixedTs; } while (at != mixedAtNanos);
            if (at < 0) return false;
            out[0] = ts;
            out[1] = at;
            return true;
        }

        Input(String id, AudioCodec.Kind codec, int audioLevelExtId) {
            this.id = id;
            this.decoder = AudioCodec.decoder(codec);
            this.audioLevelExtId = audioLevelExtId;
        }

        /** From the router, on the media loop: copy the payload into the inbox ring; the tick does the rest. */
        @Override public void onRtp(MediaSource source, ByteBuf buf, int off, int len, int hdr, boolean keyframe) {
            byte[] a = buf.array();
            int plen = RtpPacket.payloadLength(a, off, len);
            if (plen <= 0) return;
            int lvl = -1;
            if (audioLevelExtId > 0) {
                int e = RtpPacket.findOneByteExtension(a, off, len, audioLevelExtId);
                if (e > 0) lvl = 127 - (a[e] & 0x7F);
            }
            inbox.offer(RtpPacket.sequence(a, off), RtpPacket.timestamp(a, off), a, off + hdr, plen, lvl);
        }

        /** Feeds a payload directly (tests, benchmarks), copied; from one thread only. level -1: unknown. */
        public void push(int seq, byte[] payload, int level) { inbox.offer(seq, payload, 0, payload.length, level); }

        /** Packets dropped before the jitter buffer (the tick fell behind, or an oversized payload). */
        public long dropped() { return inbox.dropped + jitter.oversize; }

        public JitterBuffer jitter() { return jitter; }
    }

    /** One person hearing the meeting. */
    public final class Listener {
        public final String id;
        final String ownInput;
        final AudioCodec.Kind codec;
        final Output out;
        long ts;
        /** Mix keys: the full mix in this codec, or the mix without this listener's own voice. */
        final String fullKey, ownKey;

        Listener(String id, String ownInput, AudioCodec.Kind codec, Output out) {
            this.id = id;
            this.ownInput = ownInput;
            this.codec = codec;
            this.out = out;
            this.fullKey = "|" + codec;
            this.ownKey = ownInput + "|" + codec;
        }
    }

    public Input addInput(String id, AudioCodec.Kind codec, int audioLevelExtId) {
        Input in = new Input(id, codec, audioLevelExtId);
        inputs.add(in);
        return in;
    }

    public void removeInput(Input in) {
        if (!inputs.remove(in)) return;
        synchronized (removedLosses) {
            removedLosses[0] += in.jitter.late;
            removedLosses[1] += in.jitter.lost;
            removedLosses[2] += in.dropped();
        }
    }

    private final long[] removedLosses = new long[3];

    /**
     * What the inputs lost since the mixer started: packets too late for their frame, frames concealed
     * (lost), and packets dropped before the jitter buffer. For metrics: read on any thread (approximate).
     */
    public long[] inputLosses() {
        long[] l;
        synchronized (removedLosses) { l = removedLosses.clone(); }
        for (Input in : inputs) { l[0] += in.jitter.late; l[1] += in.jitter.lost; l[2] += in.dropped(); }
        return l;
    }

    /** ownInput: the listener's own input id (not mixed back to them), or null. */
    public Listener addListener(String id, String ownInput, AudioCodec.Kind codec, Output out) {
        Listener l = new Listener(id, ownInput, codec, out);
        listeners.add(l);
        return l;
    }

    public void addPcmListener(PcmListener l) { pcmListeners.add(l); }

    public void removePcmListener(PcmListener l) { pcmListeners.remove(l); }

    public int pcmListenerCount() { return pcmListeners.size(); }

    public void removeListener(Listener l) {
        listeners.remove(l);
        retired.add(l.ownKey);    // its own-voice mix state goes at the next tick (the maps belong to the tick)
    }

    public void start(ScheduledExecutorService ticker) {
        task = ticker.scheduleAtFixedRate(() -> {
            try { tick(); } catch (RuntimeException e) { org.slf4j.LoggerFactory.getLogger(AudioMixer.class).warn("mix tick failed", e); }
        }, 20, 20, TimeUnit.MILLISECONDS);
    }

    // encoders and output buffers per mix key: "|codec" (everyone selected) or "<input id>|codec" (everyone but that input)
    private final Map<String, AudioCodec> mixEncoders = new HashMap<>();
    private final ConcurrentLinkedQueue<String> retired = new ConcurrentLinkedQueue<>();
    private final int[] sum = new int[AudioCodec.FRAME];
    private final short[] mix = new short[AudioCodec.FRAME];
    /** The mix before limiting, in int: sums of several voices exceed 16 bits. */
    private final int[] pre = new int[AudioCodec.FRAME];
    /** Output buffers per mix key, kept across ticks; and the lengths encoded this tick (-1: not yet). */
    private final Map<String, byte[]> encoded = new HashMap<>();
    private final Map<String, int[]> encodedLen = new HashMap<>();
    private final List<Input> selected = new ArrayList<>();

    /** One 20 ms step. Public for tests and benchmarks; normally run by {@link #start}. */
    public void tick() {
        ticks++;
        for (String k; (k = retired.poll()) != null; ) { mixEncoders.remove(k); encoded.remove(k); encodedLen.remove(k); }
        // 1. a frame from each input's jitter buffer
        long tickNanos = System.nanoTime();
        for (Input in : inputs) {
            in.inbox.drainTo(in.jitter);
            in.frame = in.jitter.pop();
            in.frameLen = in.jitter.lastLen;
            in.frameLevel = in.jitter.lastTag;
            if (in.frame != null) { in.mixedTs = in.jitter.lastTs; in.mixedAtNanos = tickNanos; }
            in.selected = false;
            if (in.frame == null) { in.level = 0; continue; }
            in.level = -1;
        }
        // RFC 6464 levels ride with the packets; without them, decode to measure
        for (Input in : inputs) {
            if (in.frame == null) continue;
            if (in.audioLevelExtId <= 0) {
                in.decoder.decode(in.frame, 0, in.frameLen, in.pcm);
                decodes++;
                in.level = energyLevel(in.pcm);
            }
        }
        // 2. the loudest N
        selected.clear();
        for (Input in : inputs) {
            if (in.frame == null) continue;
            if (in.level < 0) in.level = lastLevel(in);
            if (in.level < 20) continue;                     // below about -107 dBov: silence
            selected.add(in);
        }
        selected.sort((a, b) -> Integer.compare(b.level, a.level));
        while (selected.size() > maxSpeakers) selected.remove(selected.size() - 1);
        for (Input in : selected) {
            if (in.audioLevelExtId > 0) { in.decoder.decode(in.frame, 0, in.frameLen, in.pcm); decodes++; }
        }
        // 3. the full mix, then each listener's: minus their own voice; one encode per distinct mix and codec
        java.util.Arrays.fill(sum, 0);
        for (Input in : selected) for (int i = 0; i < AudioCodec.FRAME; i++) sum[i] += in.pcm[i];
        for (int[] n : encodedLen.values()) n[0] = -1;
        if (!pcmListeners.isEmpty()) {
            if (selected.isEmpty()) java.util.Arrays.fill(mix, (short) 0);     // a file gets true silence, not comfort noise
            else {
                System.arraycopy(sum, 0, pre, 0, AudioCodec.FRAME);
                limit(selected.size());
            }
            for (PcmListener l : pcmListeners) l.pcm(mix, selected.size());
        }
        for (Listener l : listeners) {
            Input own = null;
            if (l.ownInput != null) for (Input in : selected) if (in.id.equals(l.ownInput)) own = in;
            String key = own == null ? l.fullKey : l.ownKey;
            byte[] out = encoded.computeIfAbsent(key, k -> new byte[1500]);
            int[] len = encodedLen.computeIfAbsent(key, k -> new int[] {-1});
            if (len[0] < 0) {
                for (int i = 0; i < AudioCodec.FRAME; i++) pre[i] = sum[i] - (own == null ? 0 : own.pcm[i]);
                limit(own == null ? selected.size() : selected.size() - 1);
                AudioCodec enc = mixEncoders.computeIfAbsent(key, k -> AudioCodec.encoder(l.codec, opusComplexity));
                len[0] = enc.encode(mix, out);
                encodes++;
            }
            l.out.frame(out, len[0], l.ts);
            l.ts += l.codec.frameTicks();
        }
    }

    private int lastLevel(Input in) {
        // the packet's RFC 6464 level, carried in the queue (see onRtp); unknown counts as audible
        return in.frameLevel > 0 ? in.frameLevel : 60;
    }

    /** Soft clipping of pre into mix; with no speakers, comfort noise at about -70 dBov. */
    private void limit(int speakers) {
        if (speakers <= 0) {
            for (int i = 0; i < AudioCodec.FRAME; i++) mix[i] = (short) (noise.nextInt(17) - 8);
            return;
        }
        int peak = 0;
        for (int i = 0; i < AudioCodec.FRAME; i++) peak = Math.max(peak, Math.abs(pre[i]));
        // sums beyond 16-bit are compressed smoothly: x / (1 + |x| / 32768) keeps the sign and stays in range
        for (int i = 0; i < AudioCodec.FRAME; i++) {
            int v = pre[i];
            if (peak > 24000) {
                float x = v;
                v = Math.round(x / (1f + Math.abs(x) / 32768f) * 1.5f);
            }
            mix[i] = (short) Math.max(-32768, Math.min(32767, v));
        }
    }

    /** 0..127 like RFC 6464's -dBov, from a frame's RMS. */
    static int energyLevel(short[] pcm) {
        double acc = 0;
        for (short s : pcm) acc += (double) s * s;
        double rms = Math.sqrt(acc / pcm.length);
        if (rms < 1) return 0;
        double dbov = 20 * Math.log10(rms / 32768.0);
        return (int) Math.max(0, Math.min(127, 127 + dbov));
    }

    public int inputCount() { return inputs.size(); }
    public int listenerCount() { return listeners.size(); }

    @Override public void close() { if (task != null) task.cancel(false); }
}
