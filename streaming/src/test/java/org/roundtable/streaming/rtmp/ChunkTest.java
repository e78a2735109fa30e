package org.roundtable.streaming.rtmp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Chunking: writer to reader round trips, header types, extended timestamps, chunk size changes, Abort, hostile input. */
class ChunkTest {
    private final Random random = new Random(7);

    private byte[] payload(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Feeds bytes to a reader in random slices (as reads would deliver them), collecting every message. */
    private List<RtmpMessage> readAll(ChunkReader r, byte[] wire) throws IOException {
        List<RtmpMessage> out = new ArrayList<>();
        for (int i = 0; i < wire.length; ) {
            int n = Math.min(wire.length - i, 1 + random.nextInt(300));
            r.feed(wire, i, n);
            i += n;
            for (RtmpMessage m; (m = r.next()) != null; ) out.add(m);
        }
        return out;
    }

    @Test void roundTripsInterleavedStreamsAndSizes() throws Exception {
        ChunkWriter w = new ChunkWriter();
        ByteSink wire = new ByteSink(16);
        List<RtmpMessage> sent = new ArrayList<>();
        long video = 0, audio = 5;
        for (int i = 0; i < 200; i++) {
            boolean v = i % 3 != 0;
            byte[] p = payload(v ? random.nextInt(20_000) : 1 + random.nextInt(400));
            long ts = v ? (video += 33) : (audio += 21);
            RtmpMessage m = new RtmpMessage(v ? 6 : 4, v ? 9 : 8, 1, ts, p);
            w.write(wire, m.csid(), m.type(), m.streamId(), m.timestamp(), p, 0, p.length);
            sent.add(m);
            if (i == 50) {                                  // switch to 4096-byte chunks mid-stream
                byte[] size = {0, 0, 0x10, 0};
                w.write(wire, 2, RtmpMessage.SET_CHUNK_SIZE, 0, 0, size, 0, 4);
                w.chunkSize(4096);
                sent.add(new RtmpMessage(2, 1, 0, 0, size));
            }
        }
        ChunkReader r = new ChunkReader(1 << 20);
        assertSame(sent, readAll(r, wire.toByteArray()));
        assertEquals(4096, r.chunkSize());
    }

    @Test void usesType0Then1And3Headers() {
        ChunkWriter w = new ChunkWriter();
        ByteSink wire = new ByteSink(16);
        w.write(wire, 6, 9, 1, 1000, new byte[200], 0, 200);
        byte[] b = wire.toByteArray();
        assertEquals(0x06, b[0]);                                    // fmt 0, csid 6
        assertArrayEquals(new byte[] {0, 0x03, (byte) 0xe8, 0, 0, (byte) 200, 9, 1, 0, 0, 0}, java.util.Arrays.copyOfRange(b, 1, 12));
        assertEquals((byte) 0xC6, b[12 + 128]);                      // fmt 3 continuation after 128 bytes
        assertEquals(12 + 128 + 1 + 72, b.length);
        wire.reset();
        w.write(wire, 6, 9, 1, 1033, new byte[10], 0, 10);
        b = wire.toByteArray();
        assertArrayEquals(new byte[] {0x46, 0, 0, 33, 0, 0, 10, 9}, java.util.Arrays.copyOfRange(b, 0, 8));   // fmt 1, delta 33
        wire.reset();
        w.write(wire, 6, 9, 1, 500, new byte[10], 0, 10);            // time went back: a full header again
        assertEquals(0x06, wire.array()[0]);
    }

    @Test void extendedTimestampsAreWrittenInEveryChunkAndRead() throws Exception {
        ChunkWriter w = new ChunkWriter();
        ByteSink wire = new ByteSink(16);
        long big = 0x1234567L;                                       // 5.3 hours: above the 24-bit field
        byte[] p = payload(300);
        w.write(wire, 6, 9, 1, big, p, 0, p.length);
        byte[] b = wire.toByteArray();
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, java.util.Arrays.copyOfRange(b, 1, 4));
        assertArrayEquals(new byte[] {0x01, 0x23, 0x45, 0x67}, java.util.Arrays.copyOfRange(b, 12, 16));
        assertEquals((byte) 0xC6, b[16 + 128]);
        assertArrayEquals(new byte[] {0x01, 0x23, 0x45, 0x67}, java.util.Arrays.copyOfRange(b, 17 + 128, 21 + 128));
        assertEquals(16 + 128 + 5 + 128 + 5 + 44, b.length);
        byte[] q = payload(10);
        w.write(wire, 6, 9, 1, big + 0x1000000L, q, 0, q.length);    // a delta that itself needs the extension
        w.write(wire, 6, 9, 1, 0xFFFFFFL, q, 0, q.length);           // exactly 0xFFFFFF: extended too
        w.write(wire, 6, 9, 1, 0xFFFFFFFFL, q, 0, q.length);
        List<RtmpMessage> got = readAll(new ChunkReader(1 << 20), wire.toByteArray());
        assertEquals(List.of(big, big + 0x1000000L, 0xFFFFFFL, 0xFFFFFFFFL), got.stream().map(RtmpMessage::timestamp).toList());
        assertArrayEquals(p, got.get(0).payload());
    }

    @Test void readsType2And3NewMessagesAndLongChunkStreamIds() throws Exception {
        ByteSink b = new ByteSink(16);
        ChunkWriter.basicHeader(b, 0, 100);                          // 2-byte form
        b.u24(10).u24(2).u8(20).u32le(0).u8(1).u8(2);
        ChunkWriter.basicHeader(b, 2, 100);                          // fmt 2: delta 5, same length and type
        b.u24(5).u8(3).u8(4);
        ChunkWriter.basicHeader(b, 3, 100);                          // fmt 3 new message: the same delta again
        b.u8(5).u8(6);
        ChunkWriter.basicHeader(b, 0, 400);                          // 3-byte form
        b.u24(7).u24(1).u8(8).u32le(1).u8(9);
        List<RtmpMessage> got = readAll(new ChunkReader(1 << 20), b.toByteArray());
        assertEquals(List.of(10L, 15L, 20L, 7L), got.stream().map(RtmpMessage::timestamp).toList());
        assertEquals(List.of(100, 100, 100, 400), got.stream().map(RtmpMessage::csid).toList());
        assertArrayEquals(new byte[] {5, 6}, got.get(2).payload());
        assertEquals(1, got.get(3).streamId());
    }

    @Test void abortDropsThePartialMessage() throws Exception {
        ByteSink b = new ByteSink(16);
        ChunkWriter.basicHeader(b, 0, 5);
        b.u24(0).u24(300).u8(20).u32le(0).bytes(new byte[128]);    // first chunk of 300 bytes, then abandoned
        new ChunkWriter().write(b, 2, RtmpMessage.ABORT, 0, 0, new byte[] {0, 0, 0, 5}, 0, 4);
        ChunkWriter.basicHeader(b, 0, 5);
        b.u24(9).u24(1).u8(20).u32le(0).u8(42);
        ChunkReader r = new ChunkReader(1 << 20);
        List<RtmpMessage> got = readAll(r, b.toByteArray());
        assertEquals(2, got.size());
        assertEquals(RtmpMessage.ABORT, got.get(0).type());
        assertArrayEquals(new byte[] {42}, got.get(1).payload());
    }

    @Test void waitsForAWholeChunk() throws Exception {
        ChunkWriter w = new ChunkWriter();
        ByteSink wire = new ByteSink(16);
        w.write(wire, 3, 20, 0, 0, new byte[50], 0, 50);
        ChunkReader r = new ChunkReader(1 << 20);
        byte[] b = wire.toByteArray();
        for (int i = 0; i < b.length - 1; i++) {
            r.feed(b, i, 1);
            assertNull(r.next(), "byte " + i);
        }
        r.feed(b, b.length - 1, 1);
        assertEquals(50, r.next().payload().length);
    }

    @Test void refusesHostileInput() {
        ByteSink huge = new ByteSink(16);
        ChunkWriter.basicHeader(huge, 0, 3);
        huge.u24(0).u24(0xFFFFFF).u8(20).u32le(0);
        assertBad(huge.toByteArray(), "limit");
        ByteSink zero = new ByteSink(16);
        new ChunkWriter().write(zero, 2, RtmpMessage.SET_CHUNK_SIZE, 0, 0, new byte[] {0, 0, 0, 0}, 0, 4);
        assertBad(zero.toByteArray(), "chunk size 0");
        ByteSink orphan = new ByteSink(16);
        ChunkWriter.basicHeader(orphan, 1, 9);
        orphan.u24(0).u24(1).u8(20).u8(0);
        assertBad(orphan.toByteArray(), "without a full header");
    }

    private static void assertBad(byte[] b, String why) {
        ChunkReader r = new ChunkReader(1 << 20);
        r.feed(b, 0, b.length);
        IOException e = assertThrows(IOException.class, r::next);
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    private static void assertSame(List<RtmpMessage> a, List<RtmpMessage> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            RtmpMessage x = a.get(i), y = b.get(i);
            String at = "message " + i;
            assertEquals(x.csid(), y.csid(), at);
            assertEquals(x.type(), y.type(), at);
            assertEquals(x.streamId(), y.streamId(), at);
            assertEquals(x.timestamp(), y.timestamp(), at);
            assertArrayEquals(x.payload(), y.payload(), at);
        }
    }
}
