package org.roundtable.bench.jmh;

import io.netty.util.collection.IntObjectHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import org.roundtable.bridge.rtp.Keyframes;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.router.StreamRewriter;

/** RTP header parse and rewrite, RTCP compound parse, the SSRC routing lookup, and the decide step. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RtpBench {
    final byte[] rtp = new byte[1112];
    final byte[] rtcp = new byte[200];
    int rtcpLen;
    final IntObjectHashMap<Object> routes = new IntObjectHashMap<>();
    final StreamRewriter rewriter = new StreamRewriter(true, 90000, 100, 1000);
    int seq;
    long ts;

    @Setup public void setup() {
        rtp[0] = (byte) 0x90; rtp[1] = 96; rtp[11] = 42;
        rtp[12] = (byte) 0xBE; rtp[13] = (byte) 0xDE; rtp[15] = 1; rtp[16] = 0x30; rtp[17] = 5;
        rtp[20] = 0x10;
        for (int i = 0; i < 20; i++) routes.put(i * 7919 + 42, new Object());
        routes.put(42, new Object());
        int p = Rtcp.writeRrHeader(rtcp, 0, 1, 1);
        p += Rtcp.writeReportBlock(rtcp, p, 2, 0, 0, 100, 3, 0, 0);
        p += Rtcp.writeRemb(rtcp, p, 1, 1_000_000, new int[] {2}, 1);
        p += Rtcp.writePli(rtcp, p, 1, 2);
        rtcpLen = p;
        rewriter.accept(42, 0, 0, true, 0);
    }

    @Benchmark public int parseRtp() {
        int hl = RtpPacket.headerLength(rtp, 0, rtp.length);
        return hl + RtpPacket.sequence(rtp, 0) + RtpPacket.ssrc(rtp, 0) + (int) RtpPacket.timestamp(rtp, 0)
                + (Keyframes.isKeyframe(Keyframes.Codec.VP8, rtp, hl, rtp.length - hl) ? 1 : 0);
    }

    @Benchmark public int rewriteRtp() {
        RtpPacket.setSequence(rtp, 0, ++seq);
        RtpPacket.setTimestamp(rtp, 0, ts += 3000);
        RtpPacket.setSsrc(rtp, 0, 42);
        RtpPacket.setPayloadType(rtp, 0, 100);
        return rtp[3];
    }

    @Benchmark public int parseRtcp() {
        if (!Rtcp.isValidCompound(rtcp, 0, rtcpLen)) return -1;
        int n = 0;
        for (int p = 0; p < rtcpLen; p += Rtcp.length(rtcp, p)) n += Rtcp.packetType(rtcp, p) + Rtcp.fmt(rtcp, p);
        return n;
    }

    @Benchmark public Object routeLookup() { return routes.get(RtpPacket.ssrc(rtp, 0)); }

    @Benchmark public boolean decide() {
        return rewriter.accept(42, ++seq & 0xFFFF, ts += 3000, false, 1);
    }
}
