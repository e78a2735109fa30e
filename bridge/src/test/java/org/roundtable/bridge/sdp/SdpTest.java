package org.roundtable.bridge.sdp;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SdpTest {
    static final String OFFER = String.join("\r\n",
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=group:BUNDLE 0 1",
            "a=fingerprint:sha-256 AA:BB",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 0",
            "a=mid:0", "a=sendonly", "a=rtcp-mux", "a=ice-ufrag:uf", "a=ice-pwd:pw", "a=setup:actpass",
            "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtpmap:0 PCMU/8000",
            "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            "a=ssrc:4000000000 cname:x",
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
            "a=mid:1", "a=recvonly", "a=rtcp-mux", "a=ice-ufrag:uf", "a=ice-pwd:pw",
            "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:* ccm fir", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
            "a=ssrc-group:FID 1 2", "");

    @Test void parsesWhatNegotiationNeeds() throws Exception {
        Sdp s = Sdp.parse(OFFER);
        assertEquals(2, s.media.size());
        assertEquals(java.util.List.of("0", "1"), s.bundleMids);
        Sdp.Media a = s.media.get(0), v = s.media.get(1);
        assertEquals("audio", a.kind);
        assertTrue(a.sends());
        assertFalse(a.receives());
        assertEquals("uf", a.iceUfrag);
        assertEquals("sha-256 AA:BB", a.fingerprint, "session-level fingerprint applies to every section");
        assertEquals("OPUS", a.codec(111).name);
        assertEquals(2, a.codec(111).channels);
        assertEquals("1", a.codec(111).param("useinbandfec"));
        assertEquals((int) 4000000000L, (int) a.ssrcs.get(0));
        assertEquals(1, a.extId("urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
        assertTrue(v.receives());
        assertEquals(96, v.codec(97).apt());
        assertTrue(v.codec(96).feedback.contains("nack"));
        assertTrue(v.codec(96).feedback.contains("ccm fir"), "wildcard feedback");
        assertArrayEquals(new int[] {1, 2}, v.fidGroups.get(0));
    }

    @Test void malformedOffersGiveReasons() {
        assertThrows(Sdp.SdpException.class, () -> Sdp.parse(""));
        assertThrows(Sdp.SdpException.class, () -> Sdp.parse("hello"));
        assertThrows(Sdp.SdpException.class, () -> Sdp.parse("m=audio 9 RTP 111\r\n"), "no v= line");
        assertThrows(Sdp.SdpException.class, () -> Sdp.parse("v=0\r\nm=audio x RTP 111\r\n"));
        assertThrows(Sdp.SdpException.class, () -> Sdp.parse("v=0\r\nm=audio 9 RTP 300\r\n"));
        assertThrows(Sdp.SdpException.class, () -> Sdp.parse("v=0\r\nm=audio 9 RTP 111\r\na=ssrc:99999999999 cname:x\r\n"));
        assertThrows(Sdp.SdpException.class, () -> Sdp.parse("v=0\r\nm=audio 9 RTP 111\r\na=extmap:0 urn:x\r\n"));
        assertThrows(Sdp.SdpException.class, () -> Sdp.parse("v=0\r\n" + "x".repeat(70000)));
    }
}
