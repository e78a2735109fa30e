package org.roundtable.bridge.rtp;

import static org.roundtable.bridge.rtp.RtpPacket.i32;
import static org.roundtable.bridge.rtp.RtpPacket.putI32;
import static org.roundtable.bridge.rtp.RtpPacket.putU16;
import static org.roundtable.bridge.rtp.RtpPacket.u16;

/**
 * RTCP (RFC 3550, 4585, 5104, draft-alvestrand-rmcat-remb) parsing and building over byte arrays.
 * Thread: any; stateless.
 */
public final class Rtcp {
    private Rtcp() {}

    public static final int SR = 200, RR = 201, SDES = 202, BYE = 203, APP = 204, RTPFB = 205, PSFB = 206;
    /** RTPFB FMT values. */
    public static final int FMT_NACK = 1, FMT_TCC = 15;
    /** PSFB FMT values. */
    public static final int FMT_PLI = 1, FMT_FIR = 4, FMT_AFB = 15;

    /** RFC 5761: in a muxed stream, RTCP packet types 192-223 sit in the RTP PT byte. */
    public static boolean looksLikeRtcp(byte[] b, int off, int len) {
        if (len < 8 || (b[off] & 0xC0) != 0x80) return false;
        int pt = b[off + 1] & 0xFF;
        return pt >= 192 && pt <= 223;
    }

    /** Validates a compound packet: every sub-packet is version 2 and the lengths add up exactly. */
    public static boolean isValidCompound(byte[] b, int off, int len) {
        int p = off, end = off + len;
        if (len < 4) return false;
        while (p < end) {
            if (p + 4 > end || (b[p] & 0xC0) != 0x80) return false;
            int l = 4 * (u16(b, p + 2) + 1);
            if (p + l > end) return false;
            p += l;
        }
        return p == end;
    }

    public static int packetType(byte[] b, int p) { return b[p + 1] & 0xFF; }
    public static int fmt(byte[] b, int p) { return b[p] & 0x1F; }
    /** Length in bytes of the sub-packet at p. */
    public static int length(byte[] b, int p) { return 4 * (u16(b, p + 2) + 1); }
    public static int senderSsrc(byte[] b, int p) { return i32(b, p + 4); }
    /** Media source SSRC of a feedback message (RTPFB/PSFB). */
    public static int mediaSsrc(byte[] b, int p) { return i32(b, p + 8); }

    /** Writes a PLI; returns bytes written (12). */
    public static int writePli(byte[] b, int p, int senderSsrc, int mediaSsrc) {
        b[p] = (byte) (0x80 | FMT_PLI);
        b[p + 1] = (byte) PSFB;
        putU16(b, p + 2, 2);
        putI32(b, p + 4, senderSsrc);
        putI32(b, p + 8, mediaSsrc);
        return 12;
    }

    /** Writes a FIR (RFC 5104) with one FCI entry; returns bytes written (20). */
    public static int writeFir(byte[] b, int p, int senderSsrc, int mediaSsrc, int seqNr) {
        b[p] = (byte) (0x80 | FMT_FIR);
        b[p + 1] = (byte) PSFB;
        putU16(b, p + 2, 4);
        putI32(b, p + 4, senderSsrc);
        putI32(b, p + 8, 0);
        putI32(b, p + 12, mediaSsrc);
        b[p + 16] = (byte) seqNr; b[p + 17] = 0; b[p + 18] = 0; b[p + 19] = 0;
        return 20;
    }

    /** Writes a REMB for the given SSRCs; returns bytes written. */
    public static int writeRemb(byte[] b, int p, int senderSsrc, long bitrate, int[] ssrcs, int n) {
        int exp = 0;
        long mant = bitrate;
        while (mant > 0x3FFFF) { mant >>= 1; exp++; }
        int words = 4 + n; // header(1) sender(1) media(1) 'REMB'(1) num/exp/mantissa(1) ssrcs(n)  => length = total/4 - 1
        b[p] = (byte) (0x80 | FMT_AFB);
        b[p + 1] = (byte) PSFB;
        putU16(b, p + 2, words);
        putI32(b, p + 4, senderSsrc);
        putI32(b, p + 8, 0);
        b[p + 12] = 'R'; b[p + 13] = 'E'; b[p + 14] = 'M'; b[p + 15] = 'B';
        b[p + 16] = (byte) n;
        b[p + 17] = (byte) ((exp << 2) | (int) (mant >> 16));
        b[p + 18] = (byte) (mant >> 8);
        b[p + 19] = (byte) mant;
        for (int i = 0; i < n; i++) putI32(b, p + 20 + 4 * i, ssrcs[i]);
        return 20 + 4 * n;
    }

    /** Reads a REMB bitrate from a PSFB/AFB packet at p, or -1 if it is not a REMB. */
    public static long readRemb(byte[] b, int p, int len) {
        if (len < 20 || packetType(b, p) != PSFB || fmt(b, p) != FMT_AFB) return -1;
        if (b[p + 12] != 'R' || b[p + 13] != 'E' || b[p + 14] != 'M' || b[p + 15] != 'B') return -1;
        int exp = (b[p + 17] & 0xFF) >> 2;
        long mant = ((b[p + 17] & 0x03L) << 16) | ((b[p + 18] & 0xFFL) << 8) | (b[p + 19] & 0xFFL);
        return mant << exp;
    }

    /**
     * Writes an SR header with no report blocks; returns bytes written (28).
     * @param ntp 64-bit NTP timestamp
     */
    public static int writeSr(byte[] b, int p, int ssrc, long ntp, long rtpTs, long packets, long octets) {
        b[p] = (byte) 0x80;
        b[p + 1] = (byte) SR;
        putU16(b, p + 2, 6);
        putI32(b, p + 4, ssrc);
        putI32(b, p + 8, (int) (ntp >>> 32));
        putI32(b, p + 12, (int) ntp);
        putI32(b, p + 16, (int) rtpTs);
        putI32(b, p + 20, (int) packets);
        putI32(b, p + 24, (int) octets);
        return 28;
    }

    /** Writes an RR header announcing {@code blocks} report blocks that the caller writes after it. Returns 8. */
    public static int writeRrHeader(byte[] b, int p, int ssrc, int blocks) {
        b[p] = (byte) (0x80 | blocks);
        b[p + 1] = (byte) RR;
        putU16(b, p + 2, 1 + 6 * blocks);
        putI32(b, p + 4, ssrc);
        return 8;
    }

    /** Writes one 24-byte report block. */
    public static int writeReportBlock(byte[] b, int p, int ssrc, int fractionLost, int cumulativeLost,
                                       long extHighestSeq, long jitter, long lsr, long dlsr) {
        putI32(b, p, ssrc);
        b[p + 4] = (byte) fractionLost;
        b[p + 5] = (byte) (cumulativeLost >> 16); b[p + 6] = (byte) (cumulativeLost >> 8); b[p + 7] = (byte) cumulativeLost;
        putI32(b, p + 8, (int) extHighestSeq);
        putI32(b, p + 12, (int) jitter);
        putI32(b, p + 16, (int) lsr);
        putI32(b, p + 20, (int) dlsr);
        return 24;
    }

    /** NTP timestamp (64-bit, RFC 5905) for a wall-clock time in milliseconds. */
    /** A 64-bit NTP time stamp from milliseconds since the NTP epoch (1900), as {@link SenderClock} gives them. */
    public static long ntpFromNtpMillis(double ntpMs) {
        double secs = Math.floor(ntpMs / 1000);
        long frac = (long) ((ntpMs / 1000 - secs) * 4294967296.0);
        return ((long) secs << 32) | (frac & 0xFFFFFFFFL);
    }

    public static long ntpFromMillis(long ms) {
        long secs = ms / 1000 + 2208988800L;
        long frac = ((ms % 1000) << 32) / 1000;
        return (secs << 32) | frac;
    }

    /** Writes an SR header announcing {@code blocks} report blocks that the caller writes after it; returns 28. */
    public static int writeSr(byte[] b, int p, int ssrc, long ntp, long rtpTs, long packets, long octets, int blocks) {
        writeSr(b, p, ssrc, ntp, rtpTs, packets, octets);
        b[p] = (byte) (0x80 | blocks);
        putU16(b, p + 2, 6 + 6 * blocks);
        return 28;
    }

    /** Writes an SDES packet with one chunk (ssrc, CNAME); returns bytes written (a multiple of 4). */
    public static int writeSdesCname(byte[] b, int p, int ssrc, String cname) {
        byte[] c = cname.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int n = Math.min(c.length, 255);
        int chunk = 4 + 2 + n + 1;                 // ssrc, CNAME item, END
        int padded = (chunk + 3) & ~3;
        int total = 4 + padded;
        b[p] = (byte) 0x81;
        b[p + 1] = (byte) SDES;
        putU16(b, p + 2, total / 4 - 1);
        putI32(b, p + 4, ssrc);
        b[p + 8] = 1;                              // CNAME
        b[p + 9] = (byte) n;
        System.arraycopy(c, 0, b, p + 10, n);
        for (int i = p + 10 + n; i < p + total; i++) b[i] = 0;   // END and padding
        return total;
    }

    /** Report count (RC) of an SR or RR at p. */
    public static int reportCount(byte[] b, int p) { return b[p] & 0x1F; }

    /** Offset of the i-th report block of the SR or RR at p, or -1 if it lies beyond the sub-packet. */
    public static int reportBlock(byte[] b, int p, int i) {
        int first = p + (packetType(b, p) == SR ? 28 : 8);
        int at = first + 24 * i;
        return i < reportCount(b, p) && at + 24 <= p + length(b, p) ? at : -1;
    }

    /** Fields of a report block at q. */
    public static int blockSsrc(byte[] b, int q) { return i32(b, q); }
    public static int blockFractionLost(byte[] b, int q) { return b[q + 4] & 0xFF; }
    /** Cumulative packets lost (24-bit signed). */
    public static int blockCumulativeLost(byte[] b, int q) { return (b[q + 5] << 16) | ((b[q + 6] & 0xFF) << 8) | (b[q + 7] & 0xFF); }
    public static long blockHighestSeq(byte[] b, int q) { return i32(b, q + 8) & 0xFFFFFFFFL; }
    public static long blockJitter(byte[] b, int q) { return i32(b, q + 12) & 0xFFFFFFFFL; }
    public static long blockLsr(byte[] b, int q) { return i32(b, q + 16) & 0xFFFFFFFFL; }
    public static long blockDlsr(byte[] b, int q) { return i32(b, q + 20) & 0xFFFFFFFFL; }

    /** The middle 32 bits of an SR's NTP timestamp (what an RR's LSR echoes), for an SR at p. */
    public static long srNtpMiddle(byte[] b, int p) { return ((i32(b, p + 8) & 0xFFFFL) << 16) | ((i32(b, p + 12) >>> 16) & 0xFFFFL); }
    public static long srPackets(byte[] b, int p) { return i32(b, p + 20) & 0xFFFFFFFFL; }
    public static long srOctets(byte[] b, int p) { return i32(b, p + 24) & 0xFFFFFFFFL; }
    public static long srRtpTimestamp(byte[] b, int p) { return i32(b, p + 16) & 0xFFFFFFFFL; }

    /** The middle 32 bits of a 64-bit NTP timestamp. */
    public static long ntpMiddle(long ntp) { return (ntp >>> 16) & 0xFFFFFFFFL; }
}
