package org.roundtable.streaming;

/**
 * What a live program carries, given once when an output opens: H.264 video (its size, frame rate and
 * parameter sets: {@code sps} and {@code pps} are single NAL units without start codes) and AAC-LC audio
 * ({@code audioSpecificConfig} is the 2-byte-or-longer AudioSpecificConfig of ISO/IEC 14496-3). Every live
 * output (RTMP's FLV sequence headers, HLS's fMP4 init segment) is built from this.
 */
public record LiveTracks(int width, int height, int fps, byte[] sps, byte[] pps,
                         int sampleRate, int channels, byte[] audioSpecificConfig) {
    public LiveTracks {
        if (width <= 0 || height <= 0 || fps <= 0) throw new IllegalArgumentException("video size and rate");
        if (sps == null || sps.length < 4 || pps == null || pps.length < 1) throw new IllegalArgumentException("no SPS/PPS");
        if (sampleRate <= 0 || channels <= 0 || audioSpecificConfig == null || audioSpecificConfig.length < 2)
            throw new IllegalArgumentException("no AAC config");
    }
}
