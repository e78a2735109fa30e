package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.*;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.dtls.DtlsSession.SrtpKeys;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.transport.PlainRtpLeg;

/** SDES-SRTP on plain-RTP legs: two legs with swapped keys hear each other; plaintext is refused once SRTP is on. */
class PlainRtpLegSrtpTest {
    static byte[] bytes(int seed, int n) { byte[] b = new byte[n]; new java.util.Random(seed).nextBytes(b); return b; }

    static SrtpKeys keys(int profile, byte[] local, byte[] remote) {
        return new SrtpKeys(profile, java.util.Arrays.copyOf(local, 16),
                java.util.Arrays.copyOfRange(local, 16, 30), java.util.Arrays.copyOf(remote, 16), java.util.Arrays.copyOfRange(remote, 16, 30));
    }

    /** AES_CM_128_HMAC_SHA1_80 (10-byte tag) and _32 (4-byte tag on SRTP), the two SDES suites phones offer. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_32})
    void encryptedLegsTalkAndPlaintextIsRefused(int profile) throws Exception {
        int tag = profile == SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_32 ? 4 : 10;
        BridgeMetrics metrics = new BridgeMetrics(new PrometheusRegistry());
        Bridge bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 1_000_000, false, 30_000, 10_000, 2), metrics);
        bridge.start();
        List<byte[]> atB = new CopyOnWriteArrayList<>();
        try (PlainRtpLeg a = new PlainRtpLeg(bridge, 9, 101, 8000, (s, t, x, o, l) -> { }).start("127.0.0.1", 0);
             PlainRtpLeg b = new PlainRtpLeg(bridge, 9, 101, 8000, (s, t, x, o, l) -> atB.add(java.util.Arrays.copyOfRange(x, o, o + l))).start("127.0.0.1", 0);
             DatagramSocket spy = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            byte[] ka = bytes(1, 30), kb = bytes(2, 30);
            a.srtp(keys(profile, ka, kb));
            b.srtp(keys(profile, kb, ka));
            a.remote(new InetSocketAddress("127.0.0.1", b.localPort()));
            b.remote(new InetSocketAddress("127.0.0.1", a.localPort()));
            byte[] payload = bytes(3, 160);
            for (int i = 0; i < 10; i++) a.send(payload, 160, 160);
            long end = System.currentTimeMillis() + 3000;
            while (atB.size() < 10 && System.currentTimeMillis() < end) Thread.sleep(10);
            assertEquals(10, atB.size(), "every SRTP packet decrypted");
            assertArrayEquals(payload, atB.get(0), "the payload arrives intact");
            // on the wire: header + payload + 10-byte tag, and not the plaintext
            a.remote(new InetSocketAddress("127.0.0.1", spy.getLocalPort()));
            a.send(payload, 160, 160);
            byte[] buf = new byte[400];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            spy.setSoTimeout(2000);
            spy.receive(p);
            assertEquals(12 + 160 + tag, p.getLength(), "SRTP adds the profile's tag");
            assertFalse(java.util.Arrays.equals(payload, java.util.Arrays.copyOfRange(buf, 12, 172)), "the payload is encrypted");
            // a plaintext packet to an SRTP leg is dropped and counted (no downgrade)
            byte[] plain = new byte[172];
            plain[0] = (byte) 0x80; plain[1] = 9;
            RtpPacket.setSsrc(plain, 0, 777);
            b.moveTo(new InetSocketAddress("127.0.0.1", spy.getLocalPort()));   // b now hears only the spy's address
            long before = metrics.dropped(DropReason.SRTP_AUTH);
            spy.send(new DatagramPacket(plain, plain.length, new InetSocketAddress("127.0.0.1", b.localPort())));
            end = System.currentTimeMillis() + 2000;
            while (metrics.dropped(DropReason.SRTP_AUTH) == before && System.currentTimeMillis() < end) Thread.sleep(10);
            assertEquals(before + 1, metrics.dropped(DropReason.SRTP_AUTH));
            assertEquals(10, atB.size(), "nothing from the plaintext packet reached the meeting");
        } finally {
            bridge.close();
        }
    }
}
