package org.roundtable.mixer.av;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;

import java.io.IOException;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * One packet an encoder produced, lent to a {@link Sink} for the duration of the call: copy the bytes
 * ({@link #copyData()}) to keep them. Time stamps are in the encoder's time base ({@link #timeBase()}).
 * Thread: the composition thread; not thread-safe.
 */
public final class EncodedPacket {
    /** Where an encoder's packets go (an {@link Mp4Writer}, a decoder in a test, a network sender). */
    @FunctionalInterface
    public interface Sink { void accept(EncodedPacket packet) throws IOException; }

    final AVPacket packet;
    final AVRational timeBase;

    EncodedPacket(AVPacket packet, AVRational timeBase) {
        this.packet = packet;
        this.timeBase = timeBase;
    }

    /** Presentation time in microseconds. */
    public long ptsMicros() { return packet.pts() * 1_000_000L * timeBase.num() / timeBase.den(); }
    /** Decoding time in microseconds. */
    public long dtsMicros() { return packet.dts() * 1_000_000L * timeBase.num() / timeBase.den(); }
    public boolean isKey() { return (packet.flags() & AV_PKT_FLAG_KEY) != 0; }
    public int size() { return packet.size(); }
    /** The time base of {@link #packet} time stamps, {@code num/den} seconds. */
    public AVRational timeBase() { return timeBase; }

    /**
     * A packet of one's own that shares this one's bytes (a reference, not a copy): keep it as long as
     * needed and {@link #release()} it. Thread: the caller's.
     */
    public EncodedPacket retain() {
        AVPacket p = org.bytedeco.ffmpeg.global.avcodec.av_packet_clone(packet);
        if (p == null) throw new OutOfMemoryError("av_packet_clone");
        return new EncodedPacket(p, timeBase);
    }

    /** Frees a packet made by {@link #retain()} (never one lent to a sink). */
    public void release() {
        if (!packet.isNull()) org.bytedeco.ffmpeg.global.avcodec.av_packet_free(packet);
    }

    /** A copy of the packet's bytes (H.264: Annex B with start codes). */
    public byte[] copyData() {
        byte[] b = new byte[packet.size()];
        packet.data().get(b);
        return b;
    }
}
