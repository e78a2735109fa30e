package org.roundtable.bridge.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.LoggerImpl;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.dtls.DtlsSession.SrtpKeys;

/**
 * {@link OpenSslGcm} (the allocation-free AES-GCM our SrtpSession uses) against jitsi-srtp's own GCM path,
 * which stays as it ships: SRTP and SRTCP protected by one are unprotected by the other, both ways, over
 * a sequence-number wrap (the rollover counter is in the IV), with random payload sizes; a flipped bit
 * fails authentication, and a replayed packet is refused.
 */
class OpenSslGcmTest {
    static final int SSRC = 0x1234_5678;
    final byte[] k1 = bytes(16, 1), s1 = bytes(12, 2), k2 = bytes(16, 3), s2 = bytes(12, 4);
    /** Ours: sends with (k1, s1), receives (k2, s2). */
    final SrtpSession ours = new SrtpSession(new SrtpKeys(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, k1, s1, k2, s2));
    final SrtpContextFactory stockRx = new SrtpContextFactory(false, k1, s1,
            SrtpSession.policy(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, false), SrtpSession.policy(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, true), new LoggerImpl("t"));
    final SrtpContextFactory stockTx = new SrtpContextFactory(true, k2, s2,
            SrtpSession.policy(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, false), SrtpSession.policy(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, true), new LoggerImpl("t"));

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (seed * 31 + i);
        return b;
    }

    static int rtp(byte[] b, int seq, Random r) {
        int len = 12 + 1 + r.nextInt(1100);
        b[0] = (byte) 0x80; b[1] = 96;
        b[2] = (byte) (seq >> 8); b[3] = (byte) seq;
        b[4] = (byte) r.nextInt(); b[8] = 0x12; b[9] = 0x34; b[10] = 0x56; b[11] = 0x78;
        for (int i = 12; i < len; i++) b[i] = (byte) r.nextInt();
        return len;
    }

    @Test
    void interoperatesWithJitsiSrtpBothWays() throws Exception {
        assertNull(OpenSslGcm.unavailableReason());
        SrtpCryptoContext rx = stockRx.deriveContext(SSRC, 0), tx = stockTx.deriveContext(SSRC, 0);
        Random r = new Random(7);
        byte[] b = new byte[1200 + SrtpSession.MAX_TRAILER], plain = new byte[b.length];
        for (int i = 0; i < 3000; i++) {
            int seq = (65000 + i) & 0xFFFF;          // wraps after 536 packets
            // ours -> stock
            int len = rtp(b, seq, r);
            System.arraycopy(b, 0, plain, 0, len);
            int n = ours.protectRtp(b, 0, len, b.length, SSRC);
            assertEquals(len + 16, n);
            BufView v = new BufView().set(b, 0, n, n);
            assertEquals(SrtpErrorStatus.OK, rx.reverseTransformPacket(v, false), "packet " + i);
            assertEquals(len, v.getLength());
            assertArrayEquals(Arrays.copyOf(plain, len), Arrays.copyOf(b, len));
            // stock -> ours
            len = rtp(b, seq, r);
            System.arraycopy(b, 0, plain, 0, len);
            v = new BufView().set(b, 0, len, b.length);
            assertEquals(SrtpErrorStatus.OK, tx.transformPacket(v));
            byte[] copy = Arrays.copyOf(b, v.getLength());
            assertEquals(len, ours.unprotectRtp(b, 0, v.getLength(), SSRC), "packet " + i);
            assertArrayEquals(Arrays.copyOf(plain, len), Arrays.copyOf(b, len));
            if (i % 500 == 7) {
                assertEquals(-2, ours.unprotectRtp(copy.clone(), 0, copy.length, SSRC), "a replay is refused");
                copy[20] ^= 1;
                // the same index again is a replay before it is a forgery; a new index with a flipped bit fails auth
                int nextSeq = (seq + 1) & 0xFFFF;
                int l2 = rtp(b, nextSeq, r);
                v = new BufView().set(b, 0, l2, b.length);
                tx.transformPacket(v);
                b[25] ^= 1;
                assertEquals(-1, ours.unprotectRtp(b, 0, v.getLength(), SSRC), "a flipped bit fails authentication");
                i++;
            }
        }
    }

    /** Found by SrtpIngressFuzzTest: OpenSSL was handed a negative length and the JVM died (SIGSEGV). */
    @Test
    void aHeaderLongerThanThePacketIsRefusedNotCrashed() {
        byte[] b = new byte[64];
        b[0] = (byte) 0x8F;                  // 15 CSRCs: a 72-byte header in a 20-byte packet
        b[1] = 96;
        b[8] = 0x12; b[9] = 0x34; b[10] = 0x56; b[11] = 0x78;
        assertEquals(-1, ours.protectRtp(b, 0, 20, b.length, SSRC));
        b[0] = (byte) 0x90;                  // an extension header whose length runs past the packet
        b[12] = (byte) 0xBE; b[13] = (byte) 0xDE; b[14] = 0x7F; b[15] = (byte) 0xFF;
        assertEquals(-1, ours.protectRtp(b, 0, 20, b.length, SSRC));
        assertTrue(ours.unprotectRtp(b, 0, 40, SSRC) < 0);
        b[0] = (byte) 0x80;                  // still fine afterwards
        assertEquals(36, ours.protectRtp(b, 0, 20, b.length, SSRC));
    }

    @Test
    void srtcpInteroperates() throws Exception {
        SrtcpCryptoContext rx = stockRx.deriveControlContext(SSRC), tx = stockTx.deriveControlContext(SSRC);
        byte[] b = new byte[200];
        for (int i = 0; i < 50; i++) {
            byte[] rr = {(byte) 0x81, (byte) 201, 0, 7, 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, (byte) i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            System.arraycopy(rr, 0, b, 0, rr.length);
            int n = ours.protectRtcp(b, 0, rr.length, b.length, SSRC);
            assertTrue(n > rr.length);
            BufView v = new BufView().set(b, 0, n, n);
            assertEquals(SrtpErrorStatus.OK, rx.reverseTransformPacket(v));
            assertArrayEquals(rr, Arrays.copyOf(b, v.getLength()));
            System.arraycopy(rr, 0, b, 0, rr.length);
            v = new BufView().set(b, 0, rr.length, b.length);
            assertEquals(SrtpErrorStatus.OK, tx.transformPacket(v));
            assertEquals(rr.length, ours.unprotectRtcp(b, 0, v.getLength(), SSRC));
            assertArrayEquals(rr, Arrays.copyOf(b, rr.length));
        }
    }
}
