package org.roundtable.bridge.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.dtls.DtlsSession.SrtpKeys;

/**
 * The AES-CM profiles with the JDK's HMAC-SHA1 ({@link HmacProvider#useJdk}) and with ours
 * ({@link HmacProvider#useOwn}, {@link Sha1Hmac}) against jitsi-srtp's own choice (its OpenSSL provider):
 * SRTP and SRTCP protected with one are unprotected with the other, both ways, over a sequence-number
 * wrap, for the 80- and the 32-bit tag; a flipped bit fails.
 */
class HmacProviderTest {
    static final int SSRC = 0x0BAD_CAFE;

    @Test
    void theJdksHmacAndJitsisOpenSslHmacAgree() { agree("SunJCE"); }

    @Test
    void ourHmacAndJitsisOpenSslHmacAgree() { agree("RoundtableSrtp"); }

    private static void agree(String provider) {
        for (int profile : new int[] {SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_32}) {
            byte[] k1 = OpenSslGcmTest.bytes(16, 1), s1 = OpenSslGcmTest.bytes(14, 2), k2 = OpenSslGcmTest.bytes(16, 3), s2 = OpenSslGcmTest.bytes(14, 4);
            SrtpSession stock, jdk;
            try {
                // a context (and its MAC) is made at its SSRC's first packet each way: stock's under jitsi-srtp's
                // own provider, jdk's under the JDK's
                assertTrue(HmacProvider.useJitsiDefault());
                String jitsis = HmacProvider.current();
                assertNotEquals("SunJCE", jitsis, "the comparison needs jitsi-srtp's own provider on one side");
                stock = new SrtpSession(new SrtpKeys(profile, k1, s1, k2, s2));
                byte[] fromStock = first(stock, null), fromStockRtcp = firstRtcp(stock, null);
                assertTrue(provider.equals("SunJCE") ? HmacProvider.useJdk() : HmacProvider.useOwn());
                assertEquals(provider, HmacProvider.current());
                jdk = new SrtpSession(new SrtpKeys(profile, k2, s2, k1, s1));
                byte[] fromJdk = first(jdk, fromStock), fromJdkRtcp = firstRtcp(jdk, fromStockRtcp);
                assertTrue(HmacProvider.useJitsiDefault());
                first(stock, fromJdk);
                firstRtcp(stock, fromJdkRtcp);
            } finally {
                HmacProvider.useOwn();          // the bridge's choice (Bridge's constructor)
            }
            Random r = new Random(profile);
            byte[] b = new byte[1200 + SrtpSession.MAX_TRAILER], plain = new byte[b.length];
            for (int i = 0; i < 1500; i++) {
                int seq = (65000 + i) & 0xFFFF;
                for (boolean fromStock : new boolean[] {true, false}) {
                    SrtpSession tx = fromStock ? stock : jdk, rx = fromStock ? jdk : stock;
                    int len = OpenSslGcmTest.rtp(b, seq, r);
                    b[8] = 0x0B; b[9] = (byte) 0xAD; b[10] = (byte) 0xCA; b[11] = (byte) 0xFE;
                    System.arraycopy(b, 0, plain, 0, len);
                    int sl = tx.protectRtp(b, 0, len, b.length, SSRC);
                    assertTrue(sl > len, "protected");
                    if (i == 700) {
                        byte[] bad = Arrays.copyOf(b, sl);
                        bad[20] ^= 1;
                        assertEquals(-1, rx.unprotectRtp(bad, 0, sl, SSRC), "a flipped bit fails authentication");
                    }
                    assertEquals(len, rx.unprotectRtp(b, 0, sl, SSRC), "seq " + seq + (fromStock ? " stock -> jdk" : " jdk -> stock"));
                    assertArrayEquals(Arrays.copyOf(plain, len), Arrays.copyOf(b, len));
                    // SRTCP: a receiver report from the same sender
                    byte[] rr = {(byte) 0x80, (byte) 201, 0, 1, 0x0B, (byte) 0xAD, (byte) 0xCA, (byte) 0xFE};
                    byte[] c = Arrays.copyOf(rr, rr.length + SrtpSession.MAX_TRAILER);
                    int cl = tx.protectRtcp(c, 0, rr.length, c.length, SSRC);
                    assertEquals(rr.length, rx.unprotectRtcp(c, 0, cl, SSRC), "SRTCP " + i + (fromStock ? " stock -> jdk" : " jdk -> stock"));
                    assertArrayEquals(rr, Arrays.copyOf(c, rr.length));
                }
            }
        }
    }

    /** s protects its first SRTP packet (seq 64990) and, if given one, unprotects the other side's first. Returns its own. */
    static byte[] first(SrtpSession s, byte[] other) {
        if (other != null) assertEquals(40, s.unprotectRtp(other, 0, other.length, SSRC), "the other side's first packet");
        byte[] b = new byte[40 + SrtpSession.MAX_TRAILER];
        b[0] = (byte) 0x80; b[1] = 96; b[2] = (byte) (64990 >> 8); b[3] = (byte) 64990;
        b[8] = 0x0B; b[9] = (byte) 0xAD; b[10] = (byte) 0xCA; b[11] = (byte) 0xFE;
        return Arrays.copyOf(b, s.protectRtp(b, 0, 40, b.length, SSRC));
    }

    /** The same for SRTCP (a receiver report). */
    static byte[] firstRtcp(SrtpSession s, byte[] other) {
        if (other != null) assertEquals(8, s.unprotectRtcp(other, 0, other.length, SSRC), "the other side's first report");
        byte[] c = Arrays.copyOf(new byte[] {(byte) 0x80, (byte) 201, 0, 1, 0x0B, (byte) 0xAD, (byte) 0xCA, (byte) 0xFE}, 8 + SrtpSession.MAX_TRAILER);
        return Arrays.copyOf(c, s.protectRtcp(c, 0, 8, c.length, SSRC));
    }
}
