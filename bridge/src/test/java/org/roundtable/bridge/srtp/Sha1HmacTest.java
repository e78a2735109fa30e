package org.roundtable.bridge.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * {@link Sha1Hmac} against RFC 2202's HMAC-SHA1 test cases (a short key, a key of 80 bytes that is hashed
 * first, data in pieces), as jitsi-srtp reaches it (through {@link Mac} with our provider), and the same
 * tag twice after a reset and after keying again mid-message.
 */
class Sha1HmacTest {
    static String hmac(Mac m, byte[] key, byte[]... parts) throws Exception {
        m.init(new SecretKeySpec(key, "HmacSHA1"));
        for (byte[] p : parts) m.update(p, 0, p.length);
        return HexFormat.of().formatHex(m.doFinal());
    }

    @Test
    void rfc2202TestCases() throws Exception {
        Mac m = Mac.getInstance("HmacSHA1", new Sha1Hmac.Offer());
        byte[] k1 = new byte[20];
        Arrays.fill(k1, (byte) 0x0b);
        assertEquals("b617318655057264e28bc0b6fb378c8ef146be00", hmac(m, k1, "Hi There".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", hmac(m, "Jefe".getBytes(StandardCharsets.US_ASCII),
                "what do ya want ".getBytes(StandardCharsets.US_ASCII), "for nothing?".getBytes(StandardCharsets.US_ASCII)));
        byte[] k6 = new byte[80];
        Arrays.fill(k6, (byte) 0xaa);
        assertEquals("aa4ae5e15272d00e95705637ce8a3b55ed402112",
                hmac(m, k6, "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII)));
        // keyed again in the middle of a message: the earlier bytes count for nothing
        m.init(new SecretKeySpec(k1, "HmacSHA1"));
        m.update(new byte[100], 0, 100);
        assertEquals("aa4ae5e15272d00e95705637ce8a3b55ed402112",
                hmac(m, k6, "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII)));
        // and after a reset
        m.update(new byte[7], 0, 7);
        m.reset();
        m.update("Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII));
        assertEquals("aa4ae5e15272d00e95705637ce8a3b55ed402112", HexFormat.of().formatHex(m.doFinal()));
    }

    @Test
    void theTagArrayIsReused() throws Exception {
        Mac m = Mac.getInstance("HmacSHA1", new Sha1Hmac.Offer());
        m.init(new SecretKeySpec(new byte[20], "HmacSHA1"));
        byte[] a = m.doFinal();
        assertSame(a, m.doFinal(), "no array per call (jitsi-srtp reads it at once)");
    }
}
