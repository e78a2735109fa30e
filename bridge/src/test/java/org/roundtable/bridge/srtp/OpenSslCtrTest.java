package org.roundtable.bridge.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.jitsi.srtp.BaseSrtpCryptoContext;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.dtls.DtlsSession.SrtpKeys;

/**
 * The AES-CM profiles with our ciphers ({@link OpenSslCtr} and {@link Sha1Hmac}, the bridge's) against
 * jitsi-srtp's as it makes them (its SrtpCipherCtr, its OpenSSL HMAC): SRTP and SRTCP protected by one
 * side are unprotected by the other, both ways, for payloads of 1 to 1,400 bytes and one of 2,000, over a
 * sequence-number wrap, for the 80- and the 32-bit tag; a flipped bit fails; and the contexts do hold
 * our cipher.
 */
class OpenSslCtrTest {
    static final int SSRC = 0x0BAD_CAFE;

    @Test
    void ourCtrAndJitsisAgree() throws Exception {
        assertNull(OpenSslCtr.unavailableReason());
        for (int profile : new int[] {SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_32}) {
            byte[] k1 = OpenSslGcmTest.bytes(16, 5), s1 = OpenSslGcmTest.bytes(14, 6), k2 = OpenSslGcmTest.bytes(16, 7), s2 = OpenSslGcmTest.bytes(14, 8);
            SrtpSession stock, own;
            try {
                // contexts are made at an SSRC's first packet each way, under the HMAC provider of that moment:
                // stock's all under jitsi-srtp's own, ours under ours
                assertTrue(HmacProvider.useJitsiDefault());
                assertNotEquals("RoundtableSrtp", HmacProvider.current());
                stock = new SrtpSession(new SrtpKeys(profile, k1, s1, k2, s2), true, false);
                byte[] fromStock = HmacProviderTest.first(stock, null), fromStockRtcp = HmacProviderTest.firstRtcp(stock, null);
                assertTrue(HmacProvider.useOwn());
                own = new SrtpSession(new SrtpKeys(profile, k2, s2, k1, s1));
                byte[] fromOwn = HmacProviderTest.first(own, fromStock), fromOwnRtcp = HmacProviderTest.firstRtcp(own, fromStockRtcp);
                assertTrue(HmacProvider.useJitsiDefault());
                HmacProviderTest.first(stock, fromOwn);
                HmacProviderTest.firstRtcp(stock, fromOwnRtcp);
            } finally {
                HmacProvider.useOwn();          // the bridge's choice (Bridge's constructor)
            }
            Random r = new Random(profile);
            byte[] b = new byte[2012 + SrtpSession.MAX_TRAILER], plain = new byte[b.length];
            for (int i = 0; i < 1500; i++) {
                int seq = (64991 + i) & 0xFFFF;
                for (boolean fromStock : new boolean[] {true, false}) {
                    SrtpSession tx = fromStock ? stock : own, rx = fromStock ? own : stock;
                    int len = i == 0 ? 12 + 2000 : 12 + 1 + r.nextInt(1400);
                    b[0] = (byte) 0x80; b[1] = 96; b[2] = (byte) (seq >> 8); b[3] = (byte) seq;
                    b[8] = 0x0B; b[9] = (byte) 0xAD; b[10] = (byte) 0xCA; b[11] = (byte) 0xFE;
                    for (int j = 12; j < len; j++) b[j] = (byte) r.nextInt();
                    System.arraycopy(b, 0, plain, 0, len);
                    int sl = tx.protectRtp(b, 0, len, b.length, SSRC);
                    assertTrue(sl > len, "protected");
                    if (i == 700) {
                        byte[] bad = Arrays.copyOf(b, sl);
                        bad[20] ^= 1;
                        assertEquals(-1, rx.unprotectRtp(bad, 0, sl, SSRC), "a flipped bit fails authentication");
                    }
                    assertEquals(len, rx.unprotectRtp(b, 0, sl, SSRC), "seq " + seq + " length " + len + (fromStock ? " stock -> own" : " own -> stock"));
                    assertArrayEquals(Arrays.copyOf(plain, len), Arrays.copyOf(b, len));
                    // SRTCP: a sender report with a body to encrypt
                    byte[] sr = new byte[28];
                    sr[0] = (byte) 0x80; sr[1] = (byte) 200; sr[3] = 6;
                    sr[4] = 0x0B; sr[5] = (byte) 0xAD; sr[6] = (byte) 0xCA; sr[7] = (byte) 0xFE;
                    for (int j = 8; j < sr.length; j++) sr[j] = (byte) (i + j);
                    byte[] c = Arrays.copyOf(sr, sr.length + SrtpSession.MAX_TRAILER);
                    int cl = tx.protectRtcp(c, 0, sr.length, c.length, SSRC);
                    assertEquals(sr.length, rx.unprotectRtcp(c, 0, cl, SSRC), "SRTCP " + i + (fromStock ? " stock -> own" : " own -> stock"));
                    assertArrayEquals(sr, Arrays.copyOf(c, sr.length));
                }
            }
            assertEquals(OpenSslCtr.class, cipherOf(own, "txRtp").getClass(), "our SRTP contexts hold our cipher");
            assertEquals(OpenSslCtr.class, cipherOf(own, "rxRtcp").getClass(), "and our SRTCP contexts");
            assertNotEquals(OpenSslCtr.class, cipherOf(stock, "txRtp").getClass(), "jitsi's keep theirs");
        }
    }

    /** The cipher of the one context in one of a session's context maps. */
    static Object cipherOf(SrtpSession s, String map) throws ReflectiveOperationException {
        Field f = SrtpSession.class.getDeclaredField(map);
        f.setAccessible(true);
        Object context = ((io.netty.util.collection.IntObjectHashMap<?>) f.get(s)).values().iterator().next();
        Field c = BaseSrtpCryptoContext.class.getDeclaredField("cipher");
        c.setAccessible(true);
        return c.get(context);
    }
}
