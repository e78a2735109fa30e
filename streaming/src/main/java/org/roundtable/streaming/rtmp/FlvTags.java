package org.roundtable.streaming.rtmp;

import java.util.LinkedHashMap;
import java.util.Map;
import org.roundtable.streaming.LiveTracks;

/**
 * The bodies of RTMP's media and data messages, as FLV tags carry them (FLV spec 10.1, E.4.2/E.4.3):
 * AVC video (key/inter frame type, codec 7; the sequence header is the AVCDecoderConfigurationRecord,
 * frames are NAL units with 4-byte lengths, composition time 0 since there are no B-frames), AAC audio
 * (0xAF: AAC, and the "44 kHz, 16-bit, stereo" flags FLV requires for AAC whatever the real format; the
 * sequence header is the AudioSpecificConfig) and {@code @setDataFrame onMetaData}. Pure functions into a
 * reused {@link ByteSink}. Any thread (the push thread uses it).
 */
final class FlvTags {
    static final int CODEC_AVC = 7, CODEC_AAC = 10;
    static final int KEY_FRAME = 1, INTER_FRAME = 2;
    static final int AAC_FLAGS = (CODEC_AAC << 4) | (3 << 2) | (1 << 1) | 1;    // 0xAF
    private static final int NAL_AUD = 9;

    private FlvTags() {}

    /** Video tag body: AVC sequence header (AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.2.4.1). */
    static void avcSequenceHeader(ByteSink out, byte[] sps, byte[] pps) {
        out.u8((KEY_FRAME << 4) | CODEC_AVC).u8(0).u24(0);
        out.u8(1).u8(sps[1]).u8(sps[2]).u8(sps[3]).u8(0xFC | 3);         // version, profile, compatibility, level, 4-byte lengths
        out.u8(0xE0 | 1).u16(sps.length).bytes(sps);
        out.u8(1).u16(pps.length).bytes(pps);
    }

    /** Audio tag body: AAC sequence header. */
    static void aacSequenceHeader(ByteSink out, byte[] audioSpecificConfig) {
        out.u8(AAC_FLAGS).u8(0).bytes(audioSpecificConfig);
    }

    static void aacFrame(ByteSink out, byte[] raw) {
        out.u8(AAC_FLAGS).u8(1).bytes(raw);
    }

    /**
     * Video tag body: one access unit, Annex B converted to 4-byte NAL lengths (access unit delimiters
     * left out). Returns how many NAL units it wrote: 0 means the data held no start code (nothing to send).
     */
    static int avcFrame(ByteSink out, byte[] b, boolean key) {
        int mark = out.size();
        out.u8(((key ? KEY_FRAME : INTER_FRAME) << 4) | CODEC_AVC).u8(1).u24(0);
        int nals = 0, nal = -1, i = 0, n = b.length;
        while (i + 2 < n) {
            int c = b[i + 2] & 0xff;
            if (c > 1) { i += 3; continue; }
            if (c == 1 && b[i] == 0 && b[i + 1] == 0) {
                if (nal >= 0) nals += nal(out, b, nal, i);
                nal = i + 3;
                i += 3;
            } else i++;
        }
        if (nal >= 0) nals += nal(out, b, nal, n);
        if (nals == 0) out.reset(mark);
        return nals;
    }

    private static int nal(ByteSink out, byte[] b, int from, int to) {
        while (to > from && b[to - 1] == 0) to--;                  // a 4-byte start code's leading zero
        if (to <= from || (b[from] & 0x1f) == NAL_AUD) return 0;
        out.u32(to - from).bytes(b, from, to - from);
        return 1;
    }

    /** Data message body: {@code @setDataFrame onMetaData {...}}. */
    static void onMetaData(ByteSink out, LiveTracks t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("duration", 0);
        m.put("width", t.width());
        m.put("height", t.height());
        m.put("framerate", t.fps());
        m.put("videocodecid", CODEC_AVC);
        m.put("audiosamplerate", t.sampleRate());
        m.put("audiosamplesize", 16);
        m.put("audiochannels", t.channels());
        m.put("stereo", t.channels() == 2);
        m.put("audiocodecid", CODEC_AAC);
        m.put("encoder", "Roundtable");
        Amf0.write(out, "@setDataFrame", "onMetaData", new Amf0.EcmaArray(m));
    }
}
