package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Random;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
 * Hole 8, the SRTP side, played by an attacker who knows the clear-text parts of a publisher's packets
 * (SSRC, MID) but not its keys: forged SRTP and SRTCP are counted drops that leave no state behind: no
 * learned SSRC, no SRTP/SRTCP context, no receive statistics. The endpoint is connected with fixed keys
 * (no sockets, no DTLS); the test thread stands in for the media loop.
 */
class UnauthenticatedStateTest {
    static final String EXT_MID = "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
    static final String PUB = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\na=fingerprint:sha-256 00\r\n"
            + "a=setup:actpass\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n" + EXT_MID + "a=ssrc:42 cname:x\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\n"
            + "a=rtpmap:111 opus/48000/2\r\n" + EXT_MID;          // audio: no a=ssrc, learned from the MID extension

    Bridge bridge;
    BridgeMetrics metrics;
    Endpoint pub;
    SrtpSession peer;     // the real publisher's keys
    MediaSource video, audio;

    @BeforeEach void setUp() throws Exception {
        metrics = new BridgeMetrics(new PrometheusRegistry());
        bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 1_000_000, false, 30_000, 10_000, 1), metrics);
        Conference c = bridge.conference("m");
        pub = new Endpoint(bridge, c, "pub", "alice", null);
        pub.negotiate(Sdp.parse(PUB), (k, t, x) -> null);
        video = pub.publishedOn("0");
        audio = pub.publishedOn("1");
        SrtpKeys keys = new SrtpKeys(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, new byte[16], new byte[12], new byte[16], new byte[12]);
        pub.connectForBenchmark(new MediaPath() {
            @Override public void write(ByteBuf b) { b.release(); }
            @Override public boolean isOpen() { return true; }
            @Override public String describe() { return "sink"; }
        }, keys);
        peer = new SrtpSession(keys);
    }

    @AfterEach void tearDown() { bridge.close(); }

    /** A plain RTP packet with a one-byte MID extension (id 4) naming mid. */
    static byte[] rtpWithMid(int pt, int seq, int ssrc, char mid, int payload) {
        byte[] b = new byte[12 + 8 + payload + SrtpSession.MAX_TRAILER];
        b[0] = (byte) 0x90;
        b[1] = (byte) pt;
        RtpPacket.setSequence(b, 0, seq);
        RtpPacket.setTimestamp(b, 0, seq * 960L);
        RtpPacket.setSsrc(b, 0, ssrc);
        b[12] = (byte) 0xBE; b[13] = (byte) 0xDE; b[15] = 1;
        b[16] = 0x40; b[17] = (byte) mid;
        b[20] = 0x10;
        return b;
    }

    int protect(byte[] b, int len) { return peer.protectRtp(b, 0, len, b.length, RtpPacket.ssrc(b, 0)); }

    void receive(byte[] b, int len) {
        ByteBuf buf = Unpooled.wrappedBuffer(b, 0, len);
        try { pub.onSrtp(buf); } finally { buf.release(); }
    }

    @Test void forgedSrtpWithAKnownSsrcIsACountedDropAndLeavesNoState() {
        Random rnd = new Random(1);
        for (int i = 0; i < 300; i++) {
            byte[] f = new byte[40 + rnd.nextInt(900)];
            rnd.nextBytes(f);
            f[0] = (byte) 0x80; f[1] = 96;                       // looks like the camera's RTP: known SSRC
            RtpPacket.setSsrc(f, 0, 42);
            receive(f, f.length);
        }
        assertEquals(300, metrics.dropped(DropReason.SRTP_AUTH), "every forged packet is dropped as unauthenticated");
        assertEquals(0, metrics.dropped(DropReason.SRTP_REPLAY));
        assertEquals(0, video.packets, "no receive statistics from forged packets");
        assertEquals(0, video.receivedPackets());
        assertEquals(0, pub.srtpSession().rxRtpContexts(), "no SRTP context for a packet that did not authenticate");

        // the real publisher's packet still gets through and is counted
        byte[] ok = MediaClientRtp.rtp(96, 1, 42, new byte[] {0x10, 0});
        receive(ok, protect(ok, 14));
        assertEquals(1, video.receivedPackets());
        assertEquals(1, pub.srtpSession().rxRtpContexts());
        assertEquals(300, metrics.dropped(DropReason.SRTP_AUTH));
    }

    @Test void forgedSrtpNamingAMidTeachesNoSsrc() {
        // The attacker's SSRC 777 names the audio section's MID in clear text; the tag is forged.
        byte[] forged = rtpWithMid(111, 1, 777, '1', 20);
        int n = protect(forged, 40);
        forged[n - 1] ^= 1;                                      // break the tag
        receive(forged, n);
        assertEquals(1, metrics.dropped(DropReason.SRTP_AUTH));
        assertEquals(0, audio.ssrc, "the source has learned no SSRC");
        assertEquals(1, pub.inboundSsrcCount(), "only the camera's signalled SSRC is known");
        assertEquals(0, pub.srtpSession().rxRtpContexts());

        // The real publisher's SSRC 778 is learned from its first authentic packet, and its audio is counted.
        byte[] real = rtpWithMid(111, 1, 778, '1', 20);
        receive(real, protect(real, 40));
        assertEquals(778, audio.ssrc);
        assertEquals(1, audio.receivedPackets());
        byte[] again = rtpWithMid(111, 2, 777, '1', 20);
        receive(again, protect(again, 40));
        assertEquals(778, audio.ssrc, "a source keeps the SSRC it learned");
        assertEquals(DropReason.UNKNOWN_SSRC, onlyDropSince(1, DropReason.SRTP_AUTH));
    }

    @Test void forgedSrtcpFromManySendersCreatesNoContexts() {
        Random rnd = new Random(2);
        for (int i = 0; i < 500; i++) {
            byte[] f = new byte[8 + 16 + 4 + rnd.nextInt(64)];
            rnd.nextBytes(f);
            f[0] = (byte) 0x81; f[1] = (byte) Rtcp.RR;           // any sender SSRC in clear text
            receive(f, f.length);
        }
        assertEquals(500, metrics.dropped(DropReason.SRTP_AUTH));
        assertEquals(0, pub.srtpSession().rxRtcpContexts(), "no SRTCP context per forged sender SSRC");
        assertEquals(0, metrics.rtcpPktsIn.get());

        byte[] rr = new byte[8 + SrtpSession.MAX_TRAILER];
        Rtcp.writeRrHeader(rr, 0, 0x55, 0);
        int n = peer.protectRtcp(rr, 0, 8, rr.length, 0x55);
        receive(rr, n);
        assertEquals(1, metrics.rtcpPktsIn.get(), "an authentic RTCP packet is accepted");
        assertEquals(1, pub.srtpSession().rxRtcpContexts());
    }

    /** The one reason whose count grew beyond the given baseline (which reason, and that it grew by one). */
    DropReason onlyDropSince(long baseline, DropReason baselineReason) {
        DropReason grew = null;
        for (DropReason r : DropReason.values()) {
            long expected = r == baselineReason ? baseline : 0;
            if (metrics.dropped(r) != expected) {
                assertNull(grew, "more than one drop reason grew: " + grew + ", " + r);
                assertEquals(expected + 1, metrics.dropped(r));
                grew = r;
            }
        }
        return grew;
    }

    /** Minimal RTP building for these tests. */
    static final class MediaClientRtp {
        static byte[] rtp(int pt, int seq, int ssrc, byte[] payload) {
            byte[] b = new byte[12 + payload.length + SrtpSession.MAX_TRAILER];
            b[0] = (byte) 0x80;
            b[1] = (byte) pt;
            RtpPacket.setSequence(b, 0, seq);
            RtpPacket.setSsrc(b, 0, ssrc);
            System.arraycopy(payload, 0, b, 12, payload.length);
            return b;
        }
    }
}
