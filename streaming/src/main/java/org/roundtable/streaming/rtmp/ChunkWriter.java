package org.roundtable.streaming.rtmp;

/**
 * Splits messages into RTMP chunks (RTMP spec 5.3): a type 0 header for a chunk stream's first message, or
 * when its message stream changes or time goes back; type 1 (time delta, length, type) for the messages
 * after; type 3 for every continuation chunk. Timestamps (or deltas) of 0xFFFFFF and above go in the 4-byte
 * extended timestamp, repeated in that message's type 3 chunks. Writes into a {@link ByteSink} so a whole
 * message reaches the socket in one write. Not thread-safe: the connection's sending thread.
 */
final class ChunkWriter {
    static final int DEFAULT_CHUNK_SIZE = 128;
    private static final long EXT = 0xFFFFFF;

    private int chunkSize = DEFAULT_CHUNK_SIZE;
    /** Per chunk stream id: the last message's stream id (-1: none yet) and timestamp. */
    private final int[] lastStream = new int[64];
    private final long[] lastTime = new long[64];

    ChunkWriter() { java.util.Arrays.fill(lastStream, -1); }

    int chunkSize() { return chunkSize; }

    /** Takes effect for the next message: call it right after writing the Set Chunk Size message. */
    void chunkSize(int size) {
        if (size < 1 || size > 0x7fffffff) throw new IllegalArgumentException("chunk size " + size);
        chunkSize = size;
    }

    /** Forgets the previous headers (a new connection). */
    void reset() {
        java.util.Arrays.fill(lastStream, -1);
        chunkSize = DEFAULT_CHUNK_SIZE;
    }

    void write(ByteSink out, int csid, int type, int streamId, long timestamp, byte[] p, int off, int len) {
        if (csid < 2 || csid >= lastStream.length) throw new IllegalArgumentException("chunk stream id " + csid + " (we use 2..63)");
        if (len > 0xFFFFFF) throw new IllegalArgumentException("message too long for RTMP: " + len + " bytes");
        timestamp &= 0xffffffffL;
        boolean first = lastStream[csid] != streamId || timestamp < lastTime[csid];
        long field = first ? timestamp : timestamp - lastTime[csid];
        boolean ext = field >= EXT;
        out.ensure(len + 18 + (len / chunkSize + 1) * 5);
        basicHeader(out, first ? 0 : 1, csid);
        out.u24((int) Math.min(field, EXT)).u24(len).u8(type);
        if (first) out.u32le(streamId);
        if (ext) out.u32(field);
        lastStream[csid] = streamId;
        lastTime[csid] = timestamp;
        int n = Math.min(len, chunkSize);
        out.bytes(p, off, n);
        for (int done = n; done < len; done += n) {
            basicHeader(out, 3, csid);
            if (ext) out.u32(field);
            n = Math.min(len - done, chunkSize);
            out.bytes(p, off + done, n);
        }
    }

    /** Writes the 1-, 2- or 3-byte basic header (fmt and chunk stream id). */
    static void basicHeader(ByteSink out, int fmt, int csid) {
        if (csid < 64) out.u8((fmt << 6) | csid);
        else if (csid < 320) out.u8(fmt << 6).u8(csid - 64);
        else out.u8((fmt << 6) | 1).u8((csid - 64) & 0xff).u8((csid - 64) >> 8);
    }
}
