package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.dtls.DtlsSession.SrtpKeys;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.srtp.SrtpSession;
import org.roundtable.bridge.transport.MediaPath;

/**
 * Hole 9, NACKs: a receiver that NACKs everything it can name gets at most its per-second budget of
 * re-sends, and the rest are counted drops. The endpoints are connected with fixed keys (no sockets); the
 * test thread stands in for the media loop.
 */
class NackBudgetTest {
    static final String PUB = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\na=fingerprint:sha-256 00\r\n"
            + "a=setup:actpass\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=ssrc:42 cname:x\r\n";
    static final String SUB = PUB.replace("a=sendonly", "a=recvonly").replace("a=ssrc:42 cname:x\r\n", "");
    Bridge bridge;

    @AfterEach void stop() { if (bridge != null) bridge.close(); }

    @Test void nacksPastTheBudgetAreCountedDrops() throws Exception {
        BridgeMetrics metrics = new BridgeMetrics(new PrometheusRegistry());
        bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 1_000_000, false, 30_000, 10_000, 1)
                .withLimits(BridgeConfig.Limits.defaults().withNacksPerSecond(5)), metrics);
        Conference c = bridge.conference("m");
        Endpoint pub = new Endpoint(bridge, c, "pub", "alice", null);
        pub.negotiate(Sdp.parse(PUB), (k, t, x) -> null);
        MediaSource source = pub.publishedOn("0");
        SrtpKeys keys = new SrtpKeys(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, new byte[16], new byte[12], new byte[16], new byte[12]);
        AtomicInteger sent = new AtomicInteger();
        MediaPath sink = new MediaPath() {
            @Override public void write(ByteBuf b) { sent.incrementAndGet(); b.release(); }
            @Override public boolean isOpen() { return true; }
            @Override public String describe() { return "sink"; }
        };
        Endpoint sub = new Endpoint(bridge, c, "sub", "bob", null);
        sub.negotiate(Sdp.parse(SUB), new Endpoint.SourcePicker() {
            @Override public MediaSource pick(MediaKind kind, Set<MediaSource> taken, Set<String> codecs) { return source; }
        });
        sub.connectForBenchmark(sink, keys);
        DownTrack dt = sub.downTracks().get(0);
        // jitsi-srtp picks its AES provider on first use (a second or more): not while the cache's 1.5 s run
        byte[] warm = new byte[64];
        warm[0] = (byte) 0x80;
        new SrtpSession(keys).protectRtp(warm, 0, 32, warm.length, 1);

        // 40 packets from the publisher (a key frame first), all forwarded to the receiver
        for (int i = 0; i < 40; i++) {
            ByteBuf p = Unpooled.buffer(112);
            byte[] a = p.array();
            a[0] = (byte) 0x80; a[1] = 96;
            RtpPacket.setSequence(a, 0, 100 + i);
            RtpPacket.setTimestamp(a, 0, 3000L * i);
            RtpPacket.setSsrc(a, 0, 42);
            a[12] = 0x10; a[13] = (byte) (i == 0 ? 0 : 1);
            p.writerIndex(112);
            source.route(p, 0, 112, 12, bridge.nowMs(), false);
            p.release();
        }
        assertEquals(40, sent.get());
        int first = (dt.rewriter.lastOutSeq() - 39) & 0xFFFF;

        // one NACK naming 34 packets (two FCIs: PID + all 16 BLP bits each)
        byte[] nack = new byte[12 + 8 + SrtpSession.MAX_TRAILER];
        nack[0] = (byte) (0x80 | Rtcp.FMT_NACK); nack[1] = (byte) Rtcp.RTPFB; nack[3] = 4;
        RtpPacket.putI32(nack, 4, 0x0B0B0B0B);
        RtpPacket.putI32(nack, 8, dt.ssrc);
        RtpPacket.putU16(nack, 12, first); RtpPacket.putU16(nack, 14, 0xFFFF);
        RtpPacket.putU16(nack, 16, (first + 17) & 0xFFFF); RtpPacket.putU16(nack, 18, 0xFFFF);
        SrtpSession receiverKeys = new SrtpSession(keys);
        int n = receiverKeys.protectRtcp(nack, 0, 20, nack.length, 0x0B0B0B0B);
        ByteBuf in = Unpooled.wrappedBuffer(nack, 0, n);
        sub.onSrtp(in);
        in.release();

        assertEquals(45, sent.get(), "five re-sends, the budget");
        assertEquals(5, (long) metrics.retransmissions.get());
        assertEquals(29, metrics.dropped(DropReason.NACK_OVER_BUDGET), "the other 29 named packets are counted drops");
        assertEquals(0, metrics.dropped(DropReason.NACK_RECENTLY_SENT));

        // a NACK repeated within the guard (100 ms without an RTT) is not answered twice; after it, it is
        long now = bridge.nowMs();
        assertEquals(DownTrack.RECENTLY_RESENT, dt.retransmit(first, now), "re-sent moments ago");
        assertEquals(DownTrack.RESENT, dt.retransmit((first + 20) & 0xFFFF, now), "never re-sent yet (beyond the budget)");
        assertEquals(DownTrack.RECENTLY_RESENT, dt.retransmit((first + 20) & 0xFFFF, now + 99));
        assertEquals(DownTrack.RESENT, dt.retransmit((first + 20) & 0xFFFF, now + 101), "the guard has passed");
        assertEquals(DownTrack.NOT_CACHED, dt.retransmit((first + 40) & 0xFFFF, now), "never sent");
    }
}
