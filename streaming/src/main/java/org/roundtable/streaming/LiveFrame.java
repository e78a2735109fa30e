package org.roundtable.streaming;

/**
 * One encoded frame of a live program, shared by every output (immutable: never write into {@code data}).
 * Video: one H.264 access unit in Annex B form (start codes; SPS/PPS may be repeated before a key frame),
 * no B-frames, so {@code dtsMicros == ptsMicros}. Audio: one raw AAC frame (no ADTS header), 1024
 * samples. Times are microseconds on the program's clock (zero when the program started; the first
 * frame an output sees may be later than zero).
 */
public record LiveFrame(boolean video, byte[] data, long ptsMicros, long dtsMicros, boolean key) {
    public static LiveFrame video(byte[] annexB, long ptsMicros, boolean key) { return new LiveFrame(true, annexB, ptsMicros, ptsMicros, key); }
    public static LiveFrame audio(byte[] aac, long ptsMicros) { return new LiveFrame(false, aac, ptsMicros, ptsMicros, true); }
}
