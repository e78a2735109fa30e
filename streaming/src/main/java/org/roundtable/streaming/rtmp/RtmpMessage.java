package org.roundtable.streaming.rtmp;

/**
 * One whole RTMP message as the chunk stream carries it (after reassembly, or before chunking).
 * {@code timestamp} is in milliseconds, 32 bits unsigned. Immutable once built; any thread.
 */
record RtmpMessage(int csid, int type, int streamId, long timestamp, byte[] payload) {
    static final int SET_CHUNK_SIZE = 1, ABORT = 2, ACK = 3, USER_CONTROL = 4, WINDOW_ACK_SIZE = 5, SET_PEER_BANDWIDTH = 6,
            AUDIO = 8, VIDEO = 9, DATA_AMF3 = 15, COMMAND_AMF3 = 17, DATA_AMF0 = 18, COMMAND_AMF0 = 20;
    /** User control events. */
    static final int UC_STREAM_BEGIN = 0, UC_PING_REQUEST = 6, UC_PING_RESPONSE = 7;

    /** The first 32 bits of the payload (the value of most control messages), or -1 when shorter. */
    long u32() {
        if (payload.length < 4) return -1;
        return ((payload[0] & 0xffL) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
    }
}
