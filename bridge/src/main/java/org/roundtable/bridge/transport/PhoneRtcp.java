package org.roundtable.bridge.transport;

import org.roundtable.bridge.rtp.Rtcp;

/**
 * RTCP state of one plain phone leg (RFC 3550): receive statistics of the phone's RTP (for our report
 * block about it: loss, extended highest sequence, interarrival jitter in the audio clock, LSR/DLSR),
 * the phone's last SR, and what the phone last reported about our stream (loss, jitter, round trip).
 * Builds our compound report (SR or RR, one report block once the phone has sent RTP, SDES CNAME) and
 * parses the phone's, safely: a compound whose lengths do not add up is refused as a whole.
 * Thread: receive and parse on the media loop; build under the leg's lock on the media loop; the
 * reported values are read from any thread.
 */
public final class PhoneRtcp {
    private int remoteSsrc;
    private boolean seqInit;
    private int baseSeq, maxSeq;
    private long cycles, received, expectedPrior, receivedPrior, lastTransit;
    private double jitter;
    private long lastSrNtpMiddle, lastSrAtMs;

    /** What the phone told us (read from any thread). */
    public volatile long srReceived, rrReceived, otherReceived;
    /** The SSRC the phone's latest report block was about, and that block's values (-1: none yet). */
    public volatile int reportedSsrc;
    public volatile int reportedFractionLost = -1, reportedCumulativeLost = -1;
    public volatile long reportedJitter = -1, reportedHighestSeq = -1;
    /** Round trip from the phone's LSR/DLSR, in ms (-1: not known). */
    public volatile long rttMs = -1;
    /** The phone's SSRC as its RTCP names it (the sender of its SR/RR), and its SR's packet count. */
    public volatile int remoteRtcpSsrc;
    public volatile long remoteSrPackets = -1;

    /** An RTP packet of the phone's, valid, on the media loop. clockRate 0: no jitter sample (e.g. an event at another clock). */
    void onRtp(int ssrc, int seq, long ts, long nowMs, int clockRate) {
        if (!seqInit || ssrc != remoteSsrc) {    // a new stream: statistics start again
            remoteSsrc = ssrc;
            seqInit = true;
            baseSeq = seq;
            maxSeq = seq;
            cycles = 0;
            received = 0;
            expectedPrior = 0;
            receivedPrior = 0;
            jitter = 0;
            lastTransit = Long.MIN_VALUE;
        } else {
            int delta = (seq - maxSeq) & 0xFFFF;
            if (delta != 0 && delta < 0x8000) {
                if (seq < maxSeq) cycles += 0x10000;
                maxSeq = seq;
            }
        }
        received++;
        if (clockRate > 0) {
            long transit = nowMs * clockRate / 1000 - ts;
            if (lastTransit != Long.MIN_VALUE) {
                long d = Math.abs(transit - lastTransit);
                if (d < clockRate * 10L) jitter += (d - jitter) / 16.0;
            }
            lastTransit = transit;
        }
    }

    public long receivedPackets() { return received; }
    public int remoteSsrc() { return remoteSsrc; }

    /**
     * Our compound report at b[p]: an SR when we are a sender (its sender info given), else an RR; a
     * report block about the phone's stream once it has sent RTP; SDES with our CNAME. Returns its length.
     */
    int build(byte[] b, int p, int ourSsrc, boolean sender, long ntp, long rtpTs, long packets, long octets, long nowMs, String cname) {
        int blocks = seqInit ? 1 : 0;
        int q = p;
        q += sender ? Rtcp.writeSr(b, q, ourSsrc, ntp, rtpTs, packets, octets, blocks) : Rtcp.writeRrHeader(b, q, ourSsrc, blocks);
        if (blocks == 1) {
            long extMax = cycles + maxSeq;
            long expected = extMax - baseSeq + 1;
            long lost = Math.max(0, expected - received);
            long expInt = expected - expectedPrior, recInt = received - receivedPrior;
            expectedPrior = expected;
            receivedPrior = received;
            long lostInt = expInt - recInt;
            int fraction = expInt <= 0 || lostInt <= 0 ? 0 : (int) Math.min(255, (lostInt << 8) / expInt);
            long dlsr = lastSrAtMs == 0 ? 0 : ((nowMs - lastSrAtMs) * 65536) / 1000;
            q += Rtcp.writeReportBlock(b, q, remoteSsrc, fraction, (int) Math.min(lost, 0x7FFFFF), extMax & 0xFFFFFFFFL,
                    (long) jitter, lastSrAtMs == 0 ? 0 : lastSrNtpMiddle, dlsr);
        }
        q += Rtcp.writeSdesCname(b, q, ourSsrc, cname);
        return q - p;
    }

    /** What a received compound packet held, for counting: types of its sub-packets, or null when refused. */
    interface Counter { void packet(int type); }

    /**
     * The phone's RTCP (plaintext) at b[off, off+len); returns false (and reads nothing) unless it is a
     * valid compound. nowMs: the media clock; ntpMiddleNow: the middle 32 bits of the NTP time now (for RTT).
     */
    boolean onRtcp(byte[] b, int off, int len, int ourSsrc, long nowMs, long ntpMiddleNow, Counter count) {
        if (!Rtcp.isValidCompound(b, off, len)) return false;
        for (int p = off, end = off + len; p < end; p += Rtcp.length(b, p)) {
            int type = Rtcp.packetType(b, p), l = Rtcp.length(b, p);
            count.packet(type);
            if (type == Rtcp.SR && l >= 28) {
                srReceived++;
                lastSrNtpMiddle = Rtcp.srNtpMiddle(b, p);
                lastSrAtMs = nowMs;
                remoteRtcpSsrc = Rtcp.senderSsrc(b, p);
                remoteSrPackets = Rtcp.srPackets(b, p);
            } else if (type == Rtcp.RR && l >= 8) {
                rrReceived++;
                remoteRtcpSsrc = Rtcp.senderSsrc(b, p);
            } else {
                otherReceived++;
                continue;
            }
            for (int i = 0; ; i++) {
                int q = Rtcp.reportBlock(b, p, i);
                if (q < 0) break;
                if (Rtcp.blockSsrc(b, q) != ourSsrc) continue;
                reportedSsrc = Rtcp.blockSsrc(b, q);
                reportedFractionLost = Rtcp.blockFractionLost(b, q);
                reportedCumulativeLost = Rtcp.blockCumulativeLost(b, q);
                reportedJitter = Rtcp.blockJitter(b, q);
                reportedHighestSeq = Rtcp.blockHighestSeq(b, q);
                long lsr = Rtcp.blockLsr(b, q), dlsr = Rtcp.blockDlsr(b, q);
                if (lsr != 0) {
                    long rtt = (ntpMiddleNow - lsr - dlsr) & 0xFFFFFFFFL;
                    if (rtt < 0x80000000L) rttMs = rtt * 1000 / 65536;
                }
            }
        }
        return true;
    }
}
