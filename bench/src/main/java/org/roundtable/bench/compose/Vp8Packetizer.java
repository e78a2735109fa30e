package org.roundtable.bench.compose;

import java.util.ArrayList;
import java.util.List;

/**
 * VP8 over RTP (RFC 7741) as a WebRTC sender writes it: a 12-byte RTP header (no extensions, no CSRC)
 * and a 4-byte payload descriptor on every packet,
 * <pre>
 *   1 0 0 S 0 0 0 0     X=1, N=0, S=1 on the frame's first packet, PID=0 (one partition)
 *   1 0 0 0 0 0 0 0     I=1: a PictureID follows
 *   1 PictureID (15 bits, M=1)
 * </pre>
 * A frame is cut into as few packets as fit {@code maxPacket} bytes, of nearly equal size (as libwebrtc
 * does); sequence numbers run on across frames, the marker bit is set on a frame's last packet, and the
 * PictureID counts frames.
 * Thread: one caller; not thread-safe.
 */
final class Vp8Packetizer {
    static final int HEADER = 12, DESCRIPTOR = 4;
    private final int payloadType, ssrc, maxPacket;
    private int seq, pictureId;

    Vp8Packetizer(int payloadType, int ssrc, int firstSeq, int firstPictureId, int maxPacket) {
        if (maxPacket <= HEADER + DESCRIPTOR) throw new IllegalArgumentException("maxPacket " + maxPacket);
        this.payloadType = payloadType;
        this.ssrc = ssrc;
        this.maxPacket = maxPacket;
        this.seq = firstSeq & 0xFFFF;
        this.pictureId = firstPictureId & 0x7FFF;
    }

    /** The RTP packets (whole, header first) of one encoded frame shown at rtpTimestamp (90 kHz). */
    List<byte[]> packetize(byte[] frame, int off, int len, long rtpTimestamp) {
        if (len <= 0) throw new IllegalArgumentException("empty frame");
        int room = maxPacket - HEADER - DESCRIPTOR;
        int n = (len + room - 1) / room;
        int base = len / n, extra = len % n;
        List<byte[]> out = new ArrayList<>(n);
        int p = off;
        for (int k = 0; k < n; k++) {
            int size = base + (k < extra ? 1 : 0);
            byte[] b = new byte[HEADER + DESCRIPTOR + size];
            b[0] = (byte) 0x80;                                             // V=2, no padding, extension or CSRC
            b[1] = (byte) ((k == n - 1 ? 0x80 : 0) | (payloadType & 0x7F));  // marker on the last packet
            b[2] = (byte) (seq >> 8);
            b[3] = (byte) seq;
            b[4] = (byte) (rtpTimestamp >> 24);
            b[5] = (byte) (rtpTimestamp >> 16);
            b[6] = (byte) (rtpTimestamp >> 8);
            b[7] = (byte) rtpTimestamp;
            b[8] = (byte) (ssrc >> 24);
            b[9] = (byte) (ssrc >> 16);
            b[10] = (byte) (ssrc >> 8);
            b[11] = (byte) ssrc;
            b[12] = (byte) (0x80 | (k == 0 ? 0x10 : 0));                     // X, S, PID=0
            b[13] = (byte) 0x80;                                             // I
            b[14] = (byte) (0x80 | (pictureId >> 8));                        // M=1, PictureID high 7 bits
            b[15] = (byte) pictureId;
            System.arraycopy(frame, p, b, HEADER + DESCRIPTOR, size);
            p += size;
            out.add(b);
            seq = (seq + 1) & 0xFFFF;
        }
        pictureId = (pictureId + 1) & 0x7FFF;
        return out;
    }

    int nextSequence() { return seq; }
}
