package org.roundtable.streaming.hls;

import org.roundtable.streaming.LiveTracks;

/**
 * Builds the CMAF/fMP4 initialization segment (ftyp + moov) of a live program: track 1 is H.264 video
 * (avc1 with an avcC made from the SPS/PPS, 90 kHz), track 2 AAC audio (mp4a with an esds carrying the
 * AudioSpecificConfig, timescale = sample rate); mvex/trex announce that the samples come in fragments.
 * Pure function; any thread.
 */
final class InitSegment {
    static final int VIDEO_TRACK = 1, AUDIO_TRACK = 2;
    static final int VIDEO_TIMESCALE = 90_000;
    private static final int[] MATRIX = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};

    private InitSegment() {}

    static byte[] build(LiveTracks t) {
        Mp4Writer w = new Mp4Writer(1024 + t.sps().length + t.pps().length);
        w.begin("ftyp").fourcc("iso6").u32(0).fourcc("iso6").fourcc("cmfc").fourcc("isom").fourcc("mp41").end();
        w.begin("moov");
        w.full("mvhd", 0, 0).u32(0).u32(0).u32(1000).u32(0)    // creation, modification, timescale, duration
                .u32(0x00010000).u16(0x0100).zeros(10);          // rate 1.0, volume 1.0, reserved
        matrix(w);
        w.zeros(24).u32(AUDIO_TRACK + 1).end();                  // pre_defined, next_track_ID
        videoTrak(w, t);
        audioTrak(w, t);
        w.begin("mvex");
        trex(w, VIDEO_TRACK);
        trex(w, AUDIO_TRACK);
        w.end();
        w.end();
        return w.toByteArray();
    }

    private static void videoTrak(Mp4Writer w, LiveTracks t) {
        w.begin("trak");
        tkhd(w, VIDEO_TRACK, 0, t.width(), t.height());
        w.begin("mdia");
        mdhd(w, VIDEO_TIMESCALE);
        hdlr(w, "vide", "VideoHandler");
        w.begin("minf");
        w.full("vmhd", 0, 1).u16(0).zeros(6).end();
        dinf(w);
        w.begin("stbl");
        w.full("stsd", 0, 0).u32(1);
        w.begin("avc1").zeros(6).u16(1)                         // reserved, data_reference_index
                .u16(0).u16(0).zeros(12)                         // pre_defined, reserved, pre_defined
                .u16(t.width()).u16(t.height())
                .u32(0x00480000).u32(0x00480000).u32(0)          // 72 dpi, 72 dpi, reserved
                .u16(1).zeros(32)                                // frame_count, compressorname
                .u16(0x0018).u16(0xffff);                        // depth, pre_defined = -1
        avcC(w, t.sps(), t.pps());
        w.end().end();                                           // avc1, stsd
        emptySampleTables(w);
        w.end().end().end().end();                               // stbl, minf, mdia, trak
    }

    static void avcC(Mp4Writer w, byte[] sps, byte[] pps) {
        w.begin("avcC").u8(1).u8(sps[1]).u8(sps[2]).u8(sps[3])
                .u8(0xfc | 3)                                    // lengthSizeMinusOne = 3
                .u8(0xe0 | 1).u16(sps.length).bytes(sps)
                .u8(1).u16(pps.length).bytes(pps);
        int[] high = AnnexB.highProfileFormat(sps);
        if (high != null) w.u8(0xfc | high[0]).u8(0xf8 | high[1]).u8(0xf8 | high[2]).u8(0);
        w.end();
    }

    private static void audioTrak(Mp4Writer w, LiveTracks t) {
        w.begin("trak");
        tkhd(w, AUDIO_TRACK, 0x0100, 0, 0);
        w.begin("mdia");
        mdhd(w, t.sampleRate());
        hdlr(w, "soun", "SoundHandler");
        w.begin("minf");
        w.full("smhd", 0, 0).u16(0).u16(0).end();
        dinf(w);
        w.begin("stbl");
        w.full("stsd", 0, 0).u32(1);
        w.begin("mp4a").zeros(6).u16(1).zeros(8)
                .u16(t.channels()).u16(16).u16(0).u16(0)
                .u32(t.sampleRate() <= 0xffff ? (long) t.sampleRate() << 16 : 0);
        esds(w, t.audioSpecificConfig());
        w.end().end();                                           // mp4a, stsd
        emptySampleTables(w);
        w.end().end().end().end();
    }

    /** ES_Descriptor > DecoderConfigDescriptor (AAC, audio stream) > DecoderSpecificInfo + SLConfig (ISO/IEC 14496-1). */
    static void esds(Mp4Writer w, byte[] asc) {
        int dsi = 5 + asc.length;                                // tag + 4-byte size + payload
        int dcd = 5 + 13 + dsi;
        int sl = 5 + 1;
        w.full("esds", 0, 0);
        descriptor(w, 3, 3 + dcd + sl).u16(AUDIO_TRACK).u8(0);  // ES_ID, flags
        descriptor(w, 4, 13 + dsi).u8(0x40).u8(0x15)             // MPEG-4 audio; AudioStream << 2 | 1
                .u24(0).u32(0).u32(0);                           // bufferSizeDB, max and average bit rates unknown
        descriptor(w, 5, asc.length).bytes(asc);
        descriptor(w, 6, 1).u8(2);                               // SLConfig: predefined = 2 (MP4)
        w.end();
    }

    private static Mp4Writer descriptor(Mp4Writer w, int tag, int size) {
        return w.u8(tag).u8(0x80 | (size >>> 21) & 0x7f).u8(0x80 | (size >>> 14) & 0x7f).u8(0x80 | (size >>> 7) & 0x7f).u8(size & 0x7f);
    }

    private static void tkhd(Mp4Writer w, int track, int volume, int width, int height) {
        w.full("tkhd", 0, 3).u32(0).u32(0).u32(track).u32(0).u32(0)   // enabled | in movie; times, id, reserved, duration
                .zeros(8).u16(0).u16(0).u16(volume).u16(0);            // reserved, layer, alternate_group, volume, reserved
        matrix(w);
        w.u32((long) width << 16).u32((long) height << 16).end();
    }

    private static void mdhd(Mp4Writer w, int timescale) {
        w.full("mdhd", 0, 0).u32(0).u32(0).u32(timescale).u32(0)
                .u16(('u' - 0x60) << 10 | ('n' - 0x60) << 5 | ('d' - 0x60)).u16(0).end();
    }

    private static void hdlr(Mp4Writer w, String type, String name) {
        w.full("hdlr", 0, 0).u32(0).fourcc(type).zeros(12)
                .bytes(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).u8(0).end();
    }

    private static void dinf(Mp4Writer w) {
        w.begin("dinf").full("dref", 0, 0).u32(1).full("url ", 0, 1).end().end().end();
    }

    private static void emptySampleTables(Mp4Writer w) {
        w.full("stts", 0, 0).u32(0).end();
        w.full("stsc", 0, 0).u32(0).end();
        w.full("stsz", 0, 0).u32(0).u32(0).end();
        w.full("stco", 0, 0).u32(0).end();
    }

    private static void trex(Mp4Writer w, int track) {
        w.full("trex", 0, 0).u32(track).u32(1).u32(0).u32(0).u32(0).end();
    }

    private static void matrix(Mp4Writer w) {
        for (int m : MATRIX) w.u32(m & 0xffffffffL);
    }
}
