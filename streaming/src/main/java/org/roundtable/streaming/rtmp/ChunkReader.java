package org.roundtable.streaming.rtmp;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reassembles RTMP messages from the chunk stream a server sends (all four header types, 1- to 3-byte
 * basic headers, extended timestamps, interleaved chunk streams). A push parser: {@link #feed} whatever
 * bytes arrived, then take messages with {@link #next} until it returns null; a chunk that is not
 * complete yet stays buffered, so a read that times out mid-chunk loses nothing. It applies Set Chunk
 * Size and Abort itself (they change how the next bytes parse) and still returns them. Hostile input
 * (a huge message, chunk size or chunk stream count) is an {@link IOException}, never unbounded memory.
 * Not thread-safe: the connection's reading thread.
 */
final class ChunkReader {
    static final int MAX_CHUNK_SIZE = 1 << 24;
    private static final int MAX_STREAMS = 64;

    private final int maxMessage;
    private byte[] buf = new byte[4096];
    private int start, end;
    private int chunkSize = ChunkWriter.DEFAULT_CHUNK_SIZE;
    private final Map<Integer, Stream> streams = new HashMap<>();
    /** Bytes held by messages being reassembled, all chunk streams together (bounded by twice maxMessage). */
    private long pending;

    /** State of one chunk stream: the last header's fields and the message being reassembled. */
    private static final class Stream {
        long timestamp, delta;
        int length, type, streamId;
        boolean ext, started;
        byte[] partial;
        int have;
    }

    ChunkReader(int maxMessage) { this.maxMessage = maxMessage; }

    int chunkSize() { return chunkSize; }

    void feed(byte[] b, int off, int len) {
        if (start == end) start = end = 0;
        if (end + len > buf.length) {
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end + len > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end + len));
        }
        System.arraycopy(b, off, buf, end, len);
        end += len;
    }

    /** The next whole message, or null when more bytes are needed. */
    RtmpMessage next() throws IOException {
        while (true) {
            int p = start;
            if (end - p < 1) return null;
            int b0 = buf[p++] & 0xff, fmt = b0 >>> 6, csid = b0 & 0x3f;
            if (csid == 0) {
                if (end - p < 1) return null;
                csid = 64 + (buf[p++] & 0xff);
            } else if (csid == 1) {
                if (end - p < 2) return null;
                csid = 64 + (buf[p] & 0xff) + ((buf[p + 1] & 0xff) << 8);
                p += 2;
            }
            int headerLen = fmt == 0 ? 11 : fmt == 1 ? 7 : fmt == 2 ? 3 : 0;
            if (end - p < headerLen) return null;
            Stream s = streams.get(csid);
            if (s == null) {
                if (fmt != 0) throw new IOException("RTMP: chunk stream " + csid + " starts without a full header (type " + fmt + ")");
                if (streams.size() >= MAX_STREAMS) throw new IOException("RTMP: more than " + MAX_STREAMS + " chunk streams");
                s = new Stream();
            }
            long field = 0;
            int length = s.length, type = s.type, streamId = s.streamId;
            if (fmt <= 2) field = u24(p);
            if (fmt <= 1) { length = u24(p + 3); type = buf[p + 6] & 0xff; }
            if (fmt == 0) streamId = (buf[p + 7] & 0xff) | (buf[p + 8] & 0xff) << 8 | (buf[p + 9] & 0xff) << 16 | (buf[p + 10] & 0xff) << 24;
            p += headerLen;
            boolean ext = fmt <= 2 ? field == 0xFFFFFF : s.ext;
            if (ext) {
                if (end - p < 4) return null;
                long e = ((long) u24(p) << 8) | (buf[p + 3] & 0xff);
                p += 4;
                if (fmt <= 2) field = e;
            }
            boolean continuation = fmt == 3 && s.partial != null;
            if (!continuation && length > maxMessage) throw new IOException("RTMP: message of " + length + " bytes (limit " + maxMessage + ")");
            int have = continuation ? s.have : 0;
            int n = Math.min(chunkSize, length - have);
            if (end - p < n) return null;
            // the whole chunk is here: commit
            start = p + n;
            streams.put(csid, s);
            s.ext = ext;
            if (!continuation) {
                if (s.partial != null) pending -= s.partial.length;
                if (pending + length > 2L * maxMessage) throw new IOException("RTMP: too many unfinished messages");
                pending += length;
                if (fmt == 0) { s.timestamp = field; s.delta = field; }
                else if (fmt == 3) s.timestamp = (s.timestamp + s.delta) & 0xffffffffL;
                else { s.timestamp = (s.timestamp + field) & 0xffffffffL; s.delta = field; }
                s.length = length;
                s.type = type;
                s.streamId = streamId;
                s.partial = new byte[length];
                s.have = 0;
            }
            System.arraycopy(buf, p, s.partial, s.have, n);
            s.have += n;
            if (s.have < s.length) continue;
            RtmpMessage m = new RtmpMessage(csid, s.type, s.streamId, s.timestamp, s.partial);
            pending -= s.partial.length;
            s.partial = null;
            control(m);
            return m;
        }
    }

    private void control(RtmpMessage m) throws IOException {
        if (m.type() == RtmpMessage.SET_CHUNK_SIZE) {
            long size = m.u32() & 0x7fffffffL;
            if (size < 1 || size > MAX_CHUNK_SIZE) throw new IOException("RTMP: server set chunk size " + size);
            chunkSize = (int) size;
        } else if (m.type() == RtmpMessage.ABORT) {
            Stream s = streams.get((int) m.u32());
            if (s != null && s.partial != null) {
                pending -= s.partial.length;
                s.partial = null;
            }
        }
    }

    private int u24(int p) { return (buf[p] & 0xff) << 16 | (buf[p + 1] & 0xff) << 8 | (buf[p + 2] & 0xff); }
}
