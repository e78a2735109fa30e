package org.roundtable.bridge.rtp;

/** Keyframe detection in VP8 (RFC 7741) and H.264 (RFC 6184) RTP payloads. Thread: any; stateless. */
public final class Keyframes {
    private Keyframes() {}

    public enum Codec { OPUS, PCMU, PCMA, G722, VP8, H264, OTHER }

    public static boolean isKeyframe(Codec codec, byte[] b, int payloadOff, int payloadLen) {
        switch (codec) {
            case VP8: return vp8Keyframe(b, payloadOff, payloadLen);
            case H264: return h264Keyframe(b, payloadOff, payloadLen);
            default: return false;
        }
    }

    /** True for the first packet of a VP8 key frame. */
    public static boolean vp8Keyframe(byte[] b, int p, int len) {
        if (len < 1) return false;
        int end = p + len;
        int d = b[p] & 0xFF;
        boolean start = (d & 0x10) != 0;
        int pid = d & 0x07;
        if (!start || pid != 0) return false;
        int q = p + 1;
        if ((d & 0x80) != 0) { // X
            if (q >= end) return false;
            int x = b[q++] & 0xFF;
            if ((x & 0x80) != 0) { // I: picture id
                if (q >= end) return false;
                q += (b[q] & 0x80) != 0 ? 2 : 1;
            }
            if ((x & 0x40) != 0) q++; // L: TL0PICIDX
            if ((x & 0x30) != 0) q++; // T or K
        }
        if (q >= end) return false;
        return (b[q] & 0x01) == 0; // P bit of the VP8 payload header: 0 = key frame
    }

    /** True if the packet carries an IDR slice or an SPS (the start of a decodable H.264 picture). */
    public static boolean h264Keyframe(byte[] b, int p, int len) {
        if (len < 1) return false;
        int nal = b[p] & 0x1F;
        if (nal == 5 || nal == 7) return true;
        if (nal == 24) { // STAP-A
            int q = p + 1, end = p + len;
            while (q + 2 < end) {
                int size = RtpPacket.u16(b, q);
                q += 2;
                if (size == 0 || q + size > end) return false;
                int t = b[q] & 0x1F;
                if (t == 5 || t == 7) return true;
                q += size;
            }
            return false;
        }
        if (nal == 28 && len >= 2) { // FU-A
            boolean start = (b[p + 1] & 0x80) != 0;
            int t = b[p + 1] & 0x1F;
            return start && (t == 5 || t == 7);
        }
        return false;
    }
}
