package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.client.Offers;
import org.roundtable.bridge.dtls.DtlsSession.SrtpKeys;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.srtp.OpenSslGcm;
import org.roundtable.bridge.srtp.SrtpSession;
import org.roundtable.bridge.transport.MediaPath;

/**
 * The forwarding path allocates nothing on the heap once warm, with AES-GCM and with AES-CM + HMAC-SHA1-80
 * (what aiortc and older browsers negotiate): SRTP packets from a publisher go
 * through unprotect, routing, the down-tracks' decisions, rewrite and protect to ten subscribers, on a media
 * loop thread (a {@link FastThreadLocalThread}, as the bridge's is), with pooled buffers. The thread's
 * allocated bytes (HotSpot's per-thread counter) over 20,000 packets in, 200,000 out, must stay under a few
 * KB: any object made per packet (an SRTP parameter spec, a boxed counter, a lambda, an envelope) is at
 * least 16 bytes per packet, 3 MB here. Every copy must also arrive, so a path that drops packets cannot pass.
 */
class ForwardAllocationTest {
    static final int SUBSCRIBERS = 10, WARM = 60_000, MEASURED = 20_000;

    @Test
    void forwardingAllocatesNothingPerPacket() throws Exception {
        assertNull(OpenSslGcm.unavailableReason(), "the allocation-free AES-GCM path must be in use");
        measure(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);
    }

    /** As a media loop forwards: a read batch's packets held and handed out receiver by receiver ({@link FanoutBatch}). */
    @Test
    void forwardingReceiverByReceiverAllocatesNothingPerPacket() throws Exception {
        measure(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, true);
    }

    @Test
    void forwardingAllocatesNothingPerPacketWithAesCm() throws Exception {
        assertNull(org.roundtable.bridge.srtp.OpenSslCtr.unavailableReason(), "the allocation-free AES-CM path must be in use");
        measure(SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80);
    }

    private static void measure(int profile) throws Exception { measure(profile, false); }

    private static void measure(int profile, boolean batched) throws Exception {
        // as the bridge sets them: jitsi-srtp's AES from SunJCE and our HMAC (GCM and CM contexts still get OpenSslGcm and OpenSslCtr)
        org.jitsi.srtp.crypto.Aes.setFactoryClassName("SunJCE");
        org.roundtable.bridge.srtp.HmacProvider.useOwn();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] result = new long[3];
        // The tests run Netty's paranoid leak detector, which records a stack trace for every buffer: off
        // while measuring (the level is read at each allocation), back on afterwards.
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        Thread t = new FastThreadLocalThread(() -> {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
            try { run(result, profile, batched); } catch (Throwable e) { failure.set(e); } finally { ResourceLeakDetector.setLevel(level); }
        }, "media-loop-test");
        t.start();
        t.join(120_000);
        if (failure.get() != null) throw new AssertionError(failure.get());
        long allocated = result[0], forwarded = result[1], sentIn = result[2];
        System.out.printf("[alloc] profile %d%s: %d packets in, %d forwarded, %d bytes allocated (%.3f B per forwarded packet)%n",
                profile, batched ? " receiver by receiver" : "", sentIn, forwarded, allocated, allocated / (double) forwarded);
        assertEquals(sentIn * SUBSCRIBERS, forwarded, "every packet reaches every subscriber");
        assertTrue(allocated < 16 * 1024, allocated + " bytes allocated while forwarding " + forwarded + " packets");
    }

    private static void run(long[] result, int profile, boolean batched) throws Exception {
        FakeHostEndpointTest.FakeHost host = new FakeHostEndpointTest.FakeHost();
        if (batched) host.fanout = new FanoutBatch(host);
        host.alloc = new PooledByteBufAllocator(true);
        Conference c = new Conference("alloc");
        long[] forwarded = {0};
        MediaPath sink = new MediaPath() {
            @Override public void write(ByteBuf b) { forwarded[0]++; b.release(); }
            @Override public boolean isOpen() { return true; }
            @Override public String describe() { return "sink"; }
        };
        java.util.List<Endpoint> all = new java.util.ArrayList<>();
        SrtpKeys pubKeys = keys(1, profile), clientKeys = mirror(pubKeys);
        Endpoint pub = new Endpoint(host, c, "pub", "alice", null);
        pub.negotiate(Sdp.parse(Offers.offer("u0", "p0p0p0p0p0p0p0p0p0p0p0p0", FakeHostEndpointTest.CLIENT, 111, 222, 333, 0, 0)),
                FakeHostEndpointTest.picker(c, "alice"));
        pub.connectForBenchmark(sink, pubKeys);
        all.add(pub);
        for (int i = 0; i < SUBSCRIBERS; i++) {
            Endpoint sub = new Endpoint(host, c, "s" + i, "bob" + i, null);
            sub.negotiate(Sdp.parse(Offers.offer("u" + (i + 1), "p1p1p1p1p1p1p1p1p1p1p1p1", FakeHostEndpointTest.CLIENT, 0, 0, 0, 1, 1)),
                    FakeHostEndpointTest.picker(c, "bob" + i));
            sub.connectForBenchmark(sink, keys(i + 2, profile));
            all.add(sub);
        }
        SrtpSession client = new SrtpSession(clientKeys);
        byte[] pkt = new byte[1200 + SrtpSession.MAX_TRAILER];
        int seqA = 1000, seqV = 5000;
        long ts = 0;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = 0, forwardedBefore = 0;
        int in = 0;
        for (int n = 0; n < WARM + MEASURED; n++) {
            if (n == WARM) { before = mx.getCurrentThreadAllocatedBytes(); forwardedBefore = forwarded[0]; }
            boolean video = (n & 1) == 0;
            int len;
            if (video) {
                len = 1112;
                seqV = (seqV + 1) & 0xFFFF;
                if ((n & 7) == 0) ts += 3000;
                header(pkt, 96, seqV, ts, 222);
                pkt[12] = 0x10;                              // VP8 start of partition
                pkt[13] = (byte) (n == 0 ? 0x00 : 0x01);     // a key frame first, then delta frames
            } else {
                len = 112;
                seqA = (seqA + 1) & 0xFFFF;
                header(pkt, 111, seqA, ts, 111);
            }
            int protectedLen = client.protectRtp(pkt, 0, len, pkt.length, video ? 222 : 111);
            ByteBuf b = host.alloc.heapBuffer(protectedLen);
            b.writeBytes(pkt, 0, protectedLen);
            pub.onSrtp(b);
            b.release();
            if ((n & 3) == 3) host.flush();              // a read batch of four ends
            if (n >= WARM) in++;
        }
        result[0] = mx.getCurrentThreadAllocatedBytes() - before;
        result[1] = forwarded[0] - forwardedBefore;
        result[2] = in;
        for (Endpoint e : all) e.close("done");     // the publisher's retransmission cache gives its buffers back
    }

    static void header(byte[] p, int pt, int seq, long ts, int ssrc) {
        p[0] = (byte) 0x80;
        p[1] = (byte) pt;
        RtpPacket.setSequence(p, 0, seq);
        RtpPacket.setTimestamp(p, 0, ts);
        RtpPacket.setSsrc(p, 0, ssrc);
    }

    static SrtpKeys keys(int seed) { return keys(seed, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM); }

    static SrtpKeys keys(int seed, int profile) {
        int salt = profile == SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM ? 12 : 14;
        byte[] lk = new byte[16], ls = new byte[salt], rk = new byte[16], rs = new byte[salt];
        for (int i = 0; i < 16; i++) { lk[i] = (byte) (seed + i); rk[i] = (byte) (seed * 7 + i); }
        for (int i = 0; i < salt; i++) { ls[i] = (byte) (seed * 3 + i); rs[i] = (byte) (seed * 5 + i); }
        return new SrtpKeys(profile, lk, ls, rk, rs);
    }

    static SrtpKeys mirror(SrtpKeys k) {
        return new SrtpKeys(k.profile(), k.remoteKey(), k.remoteSalt(), k.localKey(), k.localSalt());
    }
}
