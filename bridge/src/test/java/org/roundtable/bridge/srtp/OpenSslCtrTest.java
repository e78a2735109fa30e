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
            SrtpSession[] pair = HmacProviderTest.pair(profile, 5, false, () -> HmacProvider.useOwn());
            SrtpSession stock = pair[0], own = pair[1];
            HmacProviderTest.interoperate(stock, own, profile);
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
