package org.roundtable.streaming.rtmp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roundtable.streaming.LiveTracks;

/** The FLV bodies of RTMP media: decoder configuration, Annex B conversion, AAC flags, metadata. */
class FlvTagsTest {
    private static final byte[] SPS = {0x67, 0x64, 0x00, 0x1e, (byte) 0xac, (byte) 0xd9};
    private static final byte[] PPS = {0x68, (byte) 0xeb, (byte) 0xe3, (byte) 0xcb};

    @Test void avcSequenceHeaderIsTheDecoderConfigurationRecord() {
        ByteSink b = new ByteSink(16);
        FlvTags.avcSequenceHeader(b, SPS, PPS);
        assertArrayEquals(new byte[] {
            0x17, 0, 0, 0, 0,                                  // key frame + AVC, sequence header, cts 0
            1, 0x64, 0x00, 0x1e, (byte) 0xff,                  // version, profile High, compat, level 3.0, 4-byte lengths
            (byte) 0xe1, 0, 6, 0x67, 0x64, 0x00, 0x1e, (byte) 0xac, (byte) 0xd9,
            1, 0, 4, 0x68, (byte) 0xeb, (byte) 0xe3, (byte) 0xcb}, b.toByteArray());
    }

    @Test void annexBBecomesLengthPrefixedWithoutDelimiters() {
        byte[] au = {
            0, 0, 0, 1, 0x09, (byte) 0xf0,                     // access unit delimiter: left out
            0, 0, 0, 1, 0x67, 1, 2,                            // SPS (4-byte start code)
            0, 0, 1, 0x68, 3,                                  // PPS (3-byte start code)
            0, 0, 1, 0x65, 0, 0, 3, 1, 7, 0, 0};               // IDR slice with an emulation prevention byte, trailing zeros
        ByteSink b = new ByteSink(16);
        assertEquals(3, FlvTags.avcFrame(b, au, true));
        assertArrayEquals(new byte[] {
            0x17, 1, 0, 0, 0,
            0, 0, 0, 3, 0x67, 1, 2,
            0, 0, 0, 2, 0x68, 3,
            0, 0, 0, 6, 0x65, 0, 0, 3, 1, 7}, b.toByteArray());
        b.reset();
        assertEquals(1, FlvTags.avcFrame(b, new byte[] {0, 0, 1, 0x41, (byte) 0x9a}, false));
        assertArrayEquals(new byte[] {0x27, 1, 0, 0, 0, 0, 0, 0, 2, 0x41, (byte) 0x9a}, b.toByteArray());
        b.reset();
        assertEquals(0, FlvTags.avcFrame(b, new byte[] {0x41, 0x9a - 256, 5, 6}, false), "no start code: nothing");
        assertEquals(0, b.size());
        assertEquals(0, FlvTags.avcFrame(b, new byte[0], false));
    }

    @Test void aacTagsCarryTheFlagsFlvWants() {
        ByteSink b = new ByteSink(16);
        FlvTags.aacSequenceHeader(b, new byte[] {0x11, (byte) 0x88});
        assertArrayEquals(new byte[] {(byte) 0xaf, 0, 0x11, (byte) 0x88}, b.toByteArray());
        b.reset();
        FlvTags.aacFrame(b, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {(byte) 0xaf, 1, 1, 2, 3}, b.toByteArray());
    }

    @Test void metadataDescribesTheTracks() throws Exception {
        ByteSink b = new ByteSink(16);
        FlvTags.onMetaData(b, new LiveTracks(640, 360, 30, SPS, PPS, 48000, 1, new byte[] {0x11, (byte) 0x88}));
        List<Object> v = Amf0.decodeAll(b.toByteArray());
        assertEquals("@setDataFrame", v.get(0));
        assertEquals("onMetaData", v.get(1));
        Map<?, ?> m = (Map<?, ?>) v.get(2);
        assertEquals(640.0, m.get("width"));
        assertEquals(360.0, m.get("height"));
        assertEquals(30.0, m.get("framerate"));
        assertEquals(7.0, m.get("videocodecid"));
        assertEquals(10.0, m.get("audiocodecid"));
        assertEquals(48000.0, m.get("audiosamplerate"));
        assertEquals(false, m.get("stereo"));
        assertEquals(Amf0.ECMA_ARRAY, b.array()[3 + 13 + 3 + 10] & 0xff);
    }
}
