package org.roundtable.signaling.sip;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.sdp.Sdp;

/** SDES a=crypto parsing and our SDP's versions and directions. */
class SdesTest {
    static Sdp.Media audio(String... crypto) throws Exception {
        StringBuilder b = new StringBuilder("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\n");
        for (String c : crypto) b.append("a=crypto:").append(c).append("\r\n");
        return Sdp.parse(b.toString()).media.get(0);
    }

    @Test
    void theFirstUsableCryptoLineWins() throws Exception {
        byte[] key = new byte[30];
        for (int i = 0; i < 30; i++) key[i] = (byte) i;
        String k = Base64.getEncoder().encodeToString(key);
        assertNull(Sdes.remote(audio("1 F8_128_HMAC_SHA1_80 inline:" + k, "2 AES_CM_128_HMAC_SHA1_80 inline:!!notbase64", "4 AES_256_CM_HMAC_SHA1_80 inline:" + k,
                "3 AES_CM_128_HMAC_SHA1_80 inline:" + Base64.getEncoder().encodeToString(new byte[16]))), "wrong suite, bad base64, short key");
        Sdes.Remote r = Sdes.remote(audio("1 F8_128_HMAC_SHA1_80 inline:" + k, "2 AES_CM_128_HMAC_SHA1_80 inline:" + k + "|2^20|1:4"));
        assertEquals("2", r.tag());
        assertArrayEquals(key, r.key(), "lifetime and MKI are ignored");
        assertEquals(Sdes.SUITE, r.suite());
        assertEquals(org.bouncycastle.tls.SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, Sdes.keys(r.suite(), Sdes.newKey(), r.key()).profile());
        Sdes.Remote r32 = Sdes.remote(audio("5 AES_CM_128_HMAC_SHA1_32 inline:" + k, "6 AES_CM_128_HMAC_SHA1_80 inline:" + k));
        assertEquals("5", r32.tag(), "the caller's first usable line, in their order");
        assertEquals(org.bouncycastle.tls.SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_32, Sdes.keys(r32.suite(), Sdes.newKey(), r32.key()).profile());
        assertTrue(Sdes.line("2", Sdes.SUITE, key).matches("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/=]{40}\r\n"));
    }

    @Test
    void answersGrowTheVersionAndAnswerTheDirection() {
        LocalSdp l = new LocalSdp("127.0.0.1", 4000, "RTP/AVP", new LocalSdp.Format(0, "PCMU/8000", ""),
                new LocalSdp.Format(101, "telephone-event/8000", "0-15"), LocalSdp.rtcpLines(false, 4001), "");
        assertTrue(l.text("sendrecv").contains(" 1 IN IP4 127.0.0.1"));
        String next = l.next(LocalSdp.answerDirection("sendonly"));
        assertTrue(next.contains(" 2 IN IP4 127.0.0.1") && next.contains("a=recvonly"), next);
        assertEquals("inactive", LocalSdp.answerDirection("inactive"));
        assertEquals("sendonly", LocalSdp.answerDirection("recvonly"));
        assertEquals("sendrecv", LocalSdp.answerDirection("sendrecv"));
    }
}
