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
            SrtpSession[] pair = pair(profile, 1, true, () -> {
                assertTrue(provider.equals("SunJCE") ? HmacProvider.useJdk() : HmacProvider.useOwn());
                assertEquals(provider, HmacProvider.current());
                return true;
            });
            interoperate(pair[0], pair[1], profile);
        }
    }

    /**
     * Two sessions with mirrored keys: every context of the first ("stock": jitsi-srtp's ciphers too unless
     * stockOwnCiphers) made under jitsi-srtp's own HMAC provider (its OpenSSL one), every context of the
     * second under the provider useOther chooses. A context (and its MAC) is made at its SSRC's first packet
     * each way, so each side sends and receives one here. The bridge's choice is back afterwards.
     */
    static SrtpSession[] pair(int profile, int seed, boolean stockOwnCiphers, java.util.function.BooleanSupplier useOther) {
        byte[] k1 = OpenSslGcmTest.bytes(16, seed), s1 = OpenSslGcmTest.bytes(14, seed + 1), k2 = OpenSslGcmTest.bytes(16, seed + 2), s2 = OpenSslGcmTest.bytes(14, seed + 3);
        try {
            assertTrue(HmacProvider.useJitsiDefault());
            String jitsis = HmacProvider.current();
            assertNotEquals("SunJCE", jitsis, "the comparison needs jitsi-srtp's own provider on one side");
            assertNotEquals("RoundtableSrtp", jitsis);
            SrtpSession stock = new SrtpSession(new SrtpKeys(profile, k1, s1, k2, s2), true, stockOwnCiphers);
            byte[] fromStock = first(stock, null), fromStockRtcp = firstRtcp(stock, null);
            assertTrue(useOther.getAsBoolean());
            SrtpSession other = new SrtpSession(new SrtpKeys(profile, k2, s2, k1, s1));
            byte[] fromOther = first(other, fromStock), fromOtherRtcp = firstRtcp(other, fromStockRtcp);
            assertTrue(HmacProvider.useJitsiDefault());
            first(stock, fromOther);
            firstRtcp(stock, fromOtherRtcp);
            return new SrtpSession[] {stock, other};
        } finally {
            HmacProvider.useOwn();          // the bridge's choice (Bridge's constructor)
        }
    }

    /**
     * SRTP and SRTCP protected by one session unprotect at the other, both ways: payloads of 1 to 1,400
     * bytes and one of 2,000, over a sequence-number wrap; a sender report with a body; a flipped bit fails.
     */
    static void interoperate(SrtpSession stock, SrtpSession other, int profile) {
        Random r = new Random(profile);
        byte[] b = new byte[2012 + SrtpSession.MAX_TRAILER], plain = new byte[b.length];
        for (int i = 0; i < 1500; i++) {
            int seq = (64991 + i) & 0xFFFF;
            for (boolean fromStock : new boolean[] {true, false}) {
                SrtpSession tx = fromStock ? stock : other, rx = fromStock ? other : stock;
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
                assertEquals(len, rx.unprotectRtp(b, 0, sl, SSRC), "seq " + seq + " length " + len + (fromStock ? " stock -> other" : " other -> stock"));
                assertArrayEquals(Arrays.copyOf(plain, len), Arrays.copyOf(b, len));
                // SRTCP: a sender report with a body to encrypt
                byte[] sr = new byte[28];
                sr[0] = (byte) 0x80; sr[1] = (byte) 200; sr[3] = 6;
                sr[4] = 0x0B; sr[5] = (byte) 0xAD; sr[6] = (byte) 0xCA; sr[7] = (byte) 0xFE;
                for (int j = 8; j < sr.length; j++) sr[j] = (byte) (i + j);
                byte[] c = Arrays.copyOf(sr, sr.length + SrtpSession.MAX_TRAILER);
                int cl = tx.protectRtcp(c, 0, sr.length, c.length, SSRC);
                assertEquals(sr.length, rx.unprotectRtcp(c, 0, cl, SSRC), "SRTCP " + i + (fromStock ? " stock -> other" : " other -> stock"));
                assertArrayEquals(sr, Arrays.copyOf(c, sr.length));
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
