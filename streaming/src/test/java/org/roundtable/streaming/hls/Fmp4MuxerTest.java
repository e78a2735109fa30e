package org.roundtable.streaming.hls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.LiveTracks;
import org.roundtable.streaming.hls.Mp4Boxes.Box;

/** The fMP4 boxes byte by byte: Annex B conversion, the init segment's configs, fragments' times, sizes, flags and offsets. */
class Fmp4MuxerTest {
    /** High profile SPS as x264 writes it: 67 64 00 1f ac ... (sps_id 0, 4:2:0, 8 bit). */
    static final byte[] SPS = {0x67, 0x64, 0x00, 0x1f, (byte) 0xac, (byte) 0xd9, 0x40, 0x50, 0x05, (byte) 0xbb, 0x01, 0x10};
    static final byte[] PPS = {0x68, (byte) 0xeb, (byte) 0xe3, (byte) 0xcb, 0x22, (byte) 0xc0};
    static final byte[] ASC = {0x11, (byte) 0x88};
    static final LiveTracks TRACKS = new LiveTracks(640, 360, 30, SPS, PPS, 48000, 1, ASC);

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    /** An Annex B access unit: AUD, (SPS, PPS on key frames), SEI, then one slice of n bytes. */
    static byte[] accessUnit(boolean key, int n, int fill) {
        byte[] slice = new byte[n];
        Arrays.fill(slice, (byte) fill);
        slice[0] = (byte) (key ? 0x65 : 0x41);
        byte[] sc4 = {0, 0, 0, 1}, sc3 = {0, 0, 1};
        return key ? cat(sc4, new byte[] {0x09, (byte) 0xf0}, sc4, SPS, sc4, PPS, sc3, new byte[] {0x06, 5, 1, 0x2a, (byte) 0x80}, sc3, slice, new byte[] {0})
                : cat(sc4, new byte[] {0x09, (byte) 0xf0}, sc3, slice);
    }

    @Test void annexBBecomesLengthPrefixedWithoutAudSpsPps() {
        byte[] out = AnnexB.toLengthPrefixed(accessUnit(true, 20, 7));
        ByteBuffer b = ByteBuffer.wrap(out);
        assertEquals(5, b.getInt(), "SEI first");
        assertEquals(0x06, b.get(4) & 0xff);
        b.position(4 + 5);
        assertEquals(20, b.getInt(), "then the IDR slice, its trailing zero byte dropped");
        assertEquals(0x65, b.get() & 0xff);
        assertEquals(4 + 5 + 4 + 20, out.length);
        assertEquals(0, AnnexB.toLengthPrefixed(cat(new byte[] {0, 0, 1, 0x09, (byte) 0xf0})).length, "an AUD alone is nothing");
        assertEquals(0, AnnexB.toLengthPrefixed(new byte[] {1, 2, 3}).length, "no start code");
    }

    @Test void readsTheHighProfileFormatFromTheSps() {
        assertArrayEquals(new int[] {1, 0, 0}, AnnexB.highProfileFormat(SPS));
        assertNull(AnnexB.highProfileFormat(new byte[] {0x67, 0x42, (byte) 0xc0, 0x1e, (byte) 0xd9}), "baseline has no extension");
        assertArrayEquals(new byte[] {0, 0, 3, 0, 0, 1}, AnnexB.unescape(new byte[] {0, 0, 3, 3, 0, 0, 3, 1}));
    }

    @Test void initSegmentHasCmafBrandsTwoTracksAndTheirConfigs() {
        Box root = Mp4Boxes.parse(Fmp4Muxer.initSegment(TRACKS));
        Box ftyp = root.find("ftyp");
        String brands = new String(ftyp.file(), ftyp.payload(), ftyp.size() - 8, StandardCharsets.ISO_8859_1);
        assertTrue(brands.startsWith("iso6"), brands);
        assertTrue(brands.contains("cmfc"), brands);
        List<Box> traks = root.find("moov").all("trak");
        assertEquals(2, traks.size());
        assertEquals(90000, traks.get(0).find("mdia/mdhd").body().getInt(12));
        assertEquals(48000, traks.get(1).find("mdia/mdhd").body().getInt(12));
        assertEquals("vide", fourcc(traks.get(0).find("mdia/hdlr").body(), 8));
        assertEquals("soun", fourcc(traks.get(1).find("mdia/hdlr").body(), 8));
        assertEquals(1, traks.get(0).find("tkhd").body().getInt(12), "video is track 1");
        assertEquals(640 << 16, traks.get(0).find("tkhd").body().getInt(76));
        assertEquals(360 << 16, traks.get(0).find("tkhd").body().getInt(80));

        Box avc1 = traks.get(0).find("mdia/minf/stbl/stsd/avc1");
        assertEquals(640, avc1.body().getShort(24));
        assertEquals(360, avc1.body().getShort(26));
        byte[] avcC = bytes(avc1.find("avcC"));
        byte[] expected = cat(new byte[] {1, 0x64, 0x00, 0x1f, (byte) 0xff, (byte) 0xe1, 0, (byte) SPS.length}, SPS,
                new byte[] {1, 0, (byte) PPS.length}, PPS, new byte[] {(byte) 0xfd, (byte) 0xf8, (byte) 0xf8, 0});
        assertArrayEquals(expected, avcC);

        Box mp4a = traks.get(1).find("mdia/minf/stbl/stsd/mp4a");
        assertEquals(1, mp4a.body().getShort(16), "channels");
        assertEquals(48000, mp4a.body().getInt(24) >>> 16, "sample rate");
        byte[] esds = bytes(mp4a.find("esds"));
        int dsi = indexOf(esds, new byte[] {5, (byte) 0x80, (byte) 0x80, (byte) 0x80, 2});
        assertTrue(dsi > 0, "DecoderSpecificInfo with the 2-byte config");
        assertArrayEquals(ASC, Arrays.copyOfRange(esds, dsi + 5, dsi + 7));
        assertEquals(0x40, esds[indexOf(esds, new byte[] {4, (byte) 0x80}) + 5] & 0xff, "MPEG-4 audio");

        List<Box> trex = root.find("moov/mvex").all("trex");
        assertEquals(2, trex.size());
        assertEquals(2, trex.get(1).body().getInt(4));
    }

    @Test void fragmentsCarryRightTimesSizesFlagsAndOffsets() {
        Fmp4Muxer m = new Fmp4Muxer(TRACKS, 1_000_000);          // the output joined one second into the program
        assertFalse(m.add(LiveFrame.audio(new byte[] {1}, 999_000)), "before the origin");
        long[] vt = new long[21];
        for (int i = 0; i <= 20; i++) vt[i] = 1_000_000 + i * 1_000_000L / 30;
        int a = 0;
        for (int i = 0; i <= 10; i++) {
            assertTrue(m.add(LiveFrame.video(accessUnit(i == 0, 100 + i, i), vt[i], i == 0)));
            while (1_000_000 + a * 1024L * 1_000_000 / 48000 <= vt[i]) {
                assertTrue(m.add(LiveFrame.audio(new byte[] {(byte) 0x21, (byte) a, 3}, 1_000_000 + a * 1024L * 1_000_000 / 48000)));
                a++;
            }
        }
        assertFalse(m.add(LiveFrame.video(accessUnit(false, 50, 0), vt[10], false)), "not after the frame before");
        byte[] f1 = m.fragment(vt[10]).bytes();
        Traf v1 = traf(f1, 0), a1 = traf(f1, 1);
        assertEquals(1, Mp4Boxes.parse(f1).find("moof/mfhd").body().getInt(4));
        assertEquals(0, v1.tfdt, "video starts at the origin");
        assertEquals(10, v1.durations.length, "frames 0-9: frame 10 is held back");
        for (int d : v1.durations) assertEquals(3000, d);
        assertEquals(Fmp4Muxer.SYNC, v1.flags[0]);
        for (int i = 1; i < 10; i++) assertEquals(Fmp4Muxer.NON_SYNC, v1.flags[i]);
        // The data offset points at the first sample: the length-prefixed SEI of the key frame, then its slice.
        assertArrayEquals(AnnexB.toLengthPrefixed(accessUnit(true, 100, 0)), Arrays.copyOfRange(f1, v1.dataOffset, v1.dataOffset + v1.sizes[0]));
        assertEquals(0, a1.tfdt);
        for (int d : a1.durations) assertEquals(1024, d);
        assertEquals(0x21, f1[a1.dataOffset] & 0xff, "audio data follows the video data");
        assertEquals(a1.dataOffset + 3 * a1.durations.length, f1.length, "mdat ends with the last audio sample");

        for (int i = 11; i <= 20; i++) {
            m.add(LiveFrame.video(accessUnit(false, 80, i), vt[i], false));
            while (1_000_000 + a * 1024L * 1_000_000 / 48000 <= vt[i]) {
                m.add(LiveFrame.audio(new byte[] {(byte) 0x21, (byte) a, 3}, 1_000_000 + a * 1024L * 1_000_000 / 48000));
                a++;
            }
        }
        Fmp4Muxer.Fragment fr2 = m.fragment(vt[20]);
        assertFalse(fr2.independent());
        Traf v2 = traf(fr2.bytes(), 0), a2 = traf(fr2.bytes(), 1);
        assertEquals(2, Mp4Boxes.parse(fr2.bytes()).find("moof/mfhd").body().getInt(4));
        assertEquals(v1.tfdt + sum(v1.durations), v2.tfdt, "video tfdt = sum of earlier durations");
        assertEquals(a1.tfdt + sum(a1.durations), a2.tfdt, "audio tfdt = sum of earlier durations");
        Fmp4Muxer.Fragment last = m.finish();
        assertNotNull(last);
        assertEquals(1, traf(last.bytes(), 0).durations.length, "the held frame, with the last duration");
        assertEquals(3000, last.videoTicks());
        assertNull(m.finish(), "nothing left");
    }

    /** One traf read back: tfdt and trun's per-sample fields; dataOffset is absolute in the fragment. */
    record Traf(long tfdt, int dataOffset, int[] durations, int[] sizes, int[] flags) {}

    static Traf traf(byte[] fragment, int index) {
        Box root = Mp4Boxes.parse(fragment);
        Box moof = root.find("moof");
        Box t = moof.all("traf").get(index);
        ByteBuffer tfhd = t.find("tfhd").body();
        assertEquals(Fmp4Muxer.TFHD_DEFAULT_BASE_IS_MOOF, tfhd.getInt(0) & 0xffffff);
        ByteBuffer tfdt = t.find("tfdt").body();
        assertEquals(1, tfdt.get(0), "64-bit tfdt");
        ByteBuffer trun = t.find("trun").body();
        assertEquals(Fmp4Muxer.TRUN_FLAGS, trun.getInt(0) & 0xffffff);
        int n = trun.getInt(4);
        int[] d = new int[n], s = new int[n], f = new int[n];
        for (int i = 0; i < n; i++) {
            d[i] = trun.getInt(12 + 12 * i);
            s[i] = trun.getInt(16 + 12 * i);
            f[i] = trun.getInt(20 + 12 * i);
        }
        assertEquals("mdat", new String(fragment, moof.size() + 4, 4, StandardCharsets.ISO_8859_1), "mdat right after moof");
        return new Traf(tfdt.getLong(4), moof.offset() + trun.getInt(8), d, s, f);
    }

    static long sum(int[] v) { return Arrays.stream(v).asLongStream().sum(); }

    private static String fourcc(ByteBuffer b, int at) {
        byte[] x = new byte[4];
        b.get(at, x);
        return new String(x, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(Box b) { return Arrays.copyOfRange(b.file(), b.payload(), b.offset() + b.size()); }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
